"""Documents: files → clean lines → kind, metadata, sections, agencies (what a document is and says)."""
