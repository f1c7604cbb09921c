"""One module per kind of answer; `answering.router.default_answerers` lists them in the order tried."""
