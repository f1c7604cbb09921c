// The web chat's page script (loaded in <head> by app.py). It only does what must happen in the
// browser: a question is taken from the box the moment it is sent (no keystroke typed after Enter
// or "Gửi" is lost or added to it) and the box keeps the focus, [n] links open their source, a new
// answer is read from its start, the source's quote is scrolled into view inside its panel (the
// window itself never moves on its own), the phone's source overlay and conversation menu open and
// close (Esc), copying, and Vietnamese names for the parts of gradio's page that carry English ones.
(() => {
  "use strict";
  const $ = (selector, root = document) => root.querySelector(selector);
  const phone = () => window.matchMedia("(max-width: 768px)").matches;
  let lastLink = null;

  // ---------------------------------------------------------------- language
  // gradio sets <html lang> to its own locale (it has no Vietnamese); the page is Vietnamese.
  const keepVietnamese = () => {
    if (document.documentElement.lang !== "vi") document.documentElement.lang = "vi";
  };
  new MutationObserver(keepVietnamese).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  keepVietnamese();

  const NAMES = [
    ["#chatbot [role=log]", "aria-label", "Cuộc trò chuyện"],
    ["#chatbot [data-testid=user]", "aria-label", "Câu hỏi"],
    ["#chatbot [data-testid=bot]", "aria-label", "Trả lời của trợ lý"],
    // The section around a quote scrolls: keyboard users reach it with Tab.
    ["#source-text", "tabindex", "0"],
    ["#source-text", "role", "region"],
    ["#source-text", "aria-label", "Mục chứa đoạn trích"],
    // Why a question was not sent (too long) is read out as it appears.
    ["#question-note", "role", "status"],
    // [n] links are read with the answer; Tab goes from the answer to the question box, and the
    // sources are reached one by one in the sources panel ("Xem nguồn").
    ['#chatbot a[href^="#nguon-"]', "tabindex", "-1"],
  ];
  // gradio's own English names (aria-label, title) for its buttons, hidden ones included: a
  // screen reader reads them. tests/test_app_daily.py fails on any English name left.
  const GRADIO_WORDS = {
    "Clear": "Xóa", "Scroll down": "Cuộn xuống", "More tabs": "Thêm thẻ", "Copy": "Sao chép", "Copied": "Đã chép",
    "Copy message": "Sao chép", "Copy to clipboard": "Sao chép", "Download": "Tải xuống", "Share": "Chia sẻ",
    "Fullscreen": "Toàn màn hình", "Exit fullscreen": "Thoát toàn màn hình", "Close": "Đóng", "Remove": "Bỏ",
    "Edit": "Sửa", "Undo": "Hoàn tác", "Retry": "Thử lại", "Like": "Hữu ích", "Dislike": "Chưa đúng",
    "Upload": "Tải lên", "Clear selection": "Bỏ chọn", "Select all": "Chọn tất cả", "Open": "Mở",
  };
  const nameParts = () => {
    for (const element of document.querySelectorAll("[aria-label], [title]")) {
      for (const attribute of ["aria-label", "title"]) {
        const said = GRADIO_WORDS[element.getAttribute(attribute)];
        if (said) element.setAttribute(attribute, said);
      }
    }
    for (const [selector, attribute, value] of NAMES) {
      for (const element of document.querySelectorAll(selector)) {
        if (element.getAttribute(attribute) !== value) element.setAttribute(attribute, value);
      }
    }
    // A dropdown's arrow is a button without a name.
    for (const arrow of document.querySelectorAll("button.icon-button .dropdown-arrow")) {
      const button = arrow.closest("button");
      if (button && !button.getAttribute("aria-label")) {
        button.setAttribute("aria-label", "Mở danh sách");
        button.setAttribute("title", "Mở danh sách");
      }
    }
  };

  // ---------------------------------------------------------------- gradio's own messages
  // A question beyond the queue's size is refused by gradio's page with English text of its own
  // (the server's Vietnamese reply is not shown), and every toast is headed "Error", "Warning"…
  const BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút.";
  const ENGLISH_BUSY = /currently busy|queue is full/i;
  const TOAST_TITLES = { Error: "Lỗi", Warning: "Cảnh báo", Info: "Thông báo", Success: "Xong" };
  const translateToasts = () => {
    for (const text of document.querySelectorAll("[data-testid=toast-text]")) {
      if (ENGLISH_BUSY.test(text.textContent) && text.textContent !== BUSY) text.textContent = BUSY;
    }
    for (const title of document.querySelectorAll(".toast-title")) {
      for (const node of title.childNodes) {
        const english = node.nodeType === Node.TEXT_NODE ? node.textContent.trim() : "";
        if (TOAST_TITLES[english]) node.textContent = `${TOAST_TITLES[english]} `;
      }
    }
    for (const close of document.querySelectorAll("[data-testid=toast-close]")) {
      if (close.getAttribute("aria-label") !== "Đóng") close.setAttribute("aria-label", "Đóng");
    }
    // The failed event's output (the chat) is marked "Error", with a "Clear" button.
    for (const mark of document.querySelectorAll("[data-testid=status-tracker] span.error")) {
      if (mark.textContent.trim() === "Error") mark.textContent = "Lỗi";
    }
    for (const clear of document.querySelectorAll("[data-testid=status-tracker] button[aria-label=Clear]")) {
      clear.setAttribute("aria-label", "Ẩn thông báo lỗi");
      clear.setAttribute("title", "Ẩn thông báo lỗi");
    }
  };

  // ---------------------------------------------------------------- stores read by the server
  function setStore(id, value) {
    const box = document.querySelector(`#${id} textarea, #${id} input`);
    if (!box) return;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set;
    setter.call(box, value);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // ---------------------------------------------------------------- sending
  // gradio's textbox reads its value for "submit" only after an await, and clears it when the
  // server answers: letters typed in between went into the question sent ("…lam gi?T") or were
  // wiped. The question is taken here, at the key press or click, and the box emptied at once.
  let sent = 0;
  const questionBox = () => $("#question textarea");
  function send() {
    const box = questionBox();
    if (!box) return;
    const text = box.value;
    box.focus({ preventScroll: true });
    if (!text.trim()) return;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set;
    setter.call(box, "");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    sent += 1;
    setStore("outbox", `${Date.now()}.${sent}\n${text}`);
  }
  const isSendKey = (event) =>
    event.key === "Enter" && !event.shiftKey && !event.isComposing && event.target.closest && event.target.closest("#question");
  for (const type of ["keydown", "keypress"]) {
    window.addEventListener(
      type,
      (event) => {
        if (!isSendKey(event)) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        if (type === "keydown") send();
      },
      true,
    );
  }
  window.addEventListener(
    "click",
    (event) => {
      if (!(event.target.closest && event.target.closest("#send"))) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      send();
    },
    true,
  );

  // ---------------------------------------------------------------- phone: conversations menu
  function toggleHistory(open) {
    const shown = open === undefined ? !document.body.classList.contains("history-open") : open;
    document.body.classList.toggle("history-open", shown);
    const button = $("#history-menu");
    if (button) button.setAttribute("aria-expanded", String(shown));
    if (shown && phone()) window.scrollTo({ top: 0 });
  }

  // ---------------------------------------------------------------- sources
  function openSources() {
    document.body.classList.add("sources-open");
    if (phone()) setTimeout(() => $("#close-sources")?.focus({ preventScroll: true }), 50);
  }
  function closeSources() {
    if (!document.body.classList.contains("sources-open")) return;
    document.body.classList.remove("sources-open");
    if (lastLink && document.contains(lastLink)) lastLink.focus({ preventScroll: true });
  }

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest('#chatbot a[href^="#nguon-"]');
      if (link) {
        // Handled here, before the chat's own click (which would open the answer's first source).
        event.preventDefault();
        event.stopPropagation();
        const rows = [...document.querySelectorAll("#chatbot .message-row")];
        const row = link.closest(".message-row");
        const turn = rows.slice(0, rows.indexOf(row) + 1).filter((r) => r.classList.contains("user-row")).length - 1;
        const n = link.getAttribute("href").slice("#nguon-".length);
        lastLink = link;
        setStore("cite-request", `${turn}:${n}:${Date.now()}`);
        openSources();
        return;
      }
      if (event.target.closest && event.target.closest(".example")) {
        setTimeout(() => questionBox()?.focus({ preventScroll: true }), 0);
      }
      const card = event.target.closest && event.target.closest(".doc-open");
      if (card) {
        setStore("document-open", `${Date.now()}\n${card.dataset.source}`);
        setTimeout(() => $("#document-info")?.scrollIntoView({ block: "start" }), 300);
      }
      // Choosing a conversation or starting a new one closes the phone's menu.
      if (event.target.closest && event.target.closest("#new-chat, #history label")) toggleHistory(false);
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeSources();
      if (document.body.classList.contains("history-open")) toggleHistory(false);
    }
  });

  // ---------------------------------------------------------------- reading position
  let questions = 0;
  let pinned = false;
  const unpin = (event) => {
    if (event.target.closest && event.target.closest("#chatbot")) pinned = false;
  };
  for (const type of ["wheel", "touchstart", "mousedown"]) document.addEventListener(type, unpin, { passive: true, capture: true });
  let shownSource = "";
  function chatScroller() {
    // The element of gradio's chat that scrolls (its inner structure differs between versions).
    const candidates = [$("#chatbot"), ...document.querySelectorAll("#chatbot *")].filter(Boolean);
    return candidates.find((e) => e.scrollHeight > e.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(e).overflowY)) || $("#chatbot");
  }
  function scrollToLastQuestion() {
    const box = chatScroller();
    const rows = document.querySelectorAll("#chatbot .user-row");
    const row = rows[rows.length - 1];
    if (!box || !row) return;
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
  function showQuote() {
    const head = $("#source-head");
    const quote = $("#source-text .highlighted");
    const key = (head ? head.innerText : "") + "|" + (quote ? quote.innerText.slice(0, 40) : "");
    if (!quote || key === shownSource) return;
    shownSource = key;
    const box = $("#source-text");
    if (box && box.scrollHeight > box.clientHeight) {
      box.scrollTop += quote.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 3;
    }
    // Only the panel around the quote moves, never the window: on the phone the source sheet,
    // on the desktop the answer-and-sources column (it scrolls on its own beside the chat).
    const panels = phone()
      ? document.body.classList.contains("sources-open") ? document.querySelectorAll("#sources-panel") : []
      : document.querySelectorAll("#side-column");
    for (const panel of panels) {
      if (panel.scrollHeight <= panel.clientHeight + 1) continue;
      const rect = quote.getBoundingClientRect();
      const frame = panel.getBoundingClientRect();
      const top = Math.max(frame.top, 0);
      const bottom = Math.min(frame.bottom, window.innerHeight);
      if (phone() || rect.top < top || rect.top + 40 > bottom) {
        panel.scrollTop += rect.top - top - (phone() ? 80 : Math.min(160, (bottom - top) / 3));
      }
    }
  }
  let pending = false;
  function watch() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      nameParts();
      translateToasts();
      focusQuestion();
      const count = document.querySelectorAll("#chatbot .user-row").length;
      document.body.classList.toggle("has-chat", count > 0);
      if (count !== questions) {
        pinned = count > questions;
        questions = count;
      }
      // Until the reader scrolls, the newest question stays at the top while its answer grows
      // below it (at first there is not enough below it to scroll that far).
      if (pinned) scrollToLastQuestion();
      showQuote();
    });
  }
  // A reload opens at the top like a first visit (the restored chat scrolls inside its own box);
  // the question box takes the focus without moving the page, and on a phone not at all (the
  // keyboard would cover the chat).
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  let focused = false;
  const focusQuestion = () => {
    if (focused) return;
    const box = questionBox();
    if (!box) return;
    focused = true;
    if (!phone() && document.activeElement === document.body) box.focus({ preventScroll: true });
  };
  const start = () => new MutationObserver(watch).observe(document.body, { childList: true, subtree: true, characterData: true });
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);

  // ---------------------------------------------------------------- copy
  function say(message) {
    let region = $("#tro-ly-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "tro-ly-status";
      region.setAttribute("role", "status");
      document.body.appendChild(region);
    }
    region.textContent = message;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => (region.textContent = ""), 4000);
  }
  function copyWithSelection(text) {
    // Pages served over plain http on the office network have no navigator.clipboard.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    const back = document.activeElement;
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (error) {
      ok = false;
    }
    area.remove();
    if (back && back.focus) back.focus({ preventScroll: true });
    return ok;
  }
  function copy(text) {
    if (!text) return say("Chưa có câu trả lời để sao chép.");
    const done = () => say("Đã chép câu trả lời và nguồn; có thể dán vào Zalo hoặc Word.");
    const failed = () => say("Trình duyệt không cho chép tự động; hãy dùng Xuất .docx, .md.");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => (copyWithSelection(text) ? done() : failed()));
    } else if (copyWithSelection(text)) done();
    else failed();
  }

  window.troLy = { chatScroller, copy, openSources, closeSources, scrollToLastQuestion, showQuote, send, toggleHistory };
})();
