"""Getting a model into memory: the hub (hub.py), local folders and the embedded GGUF
(embedded.py, gguf.py), PEFT adapters (adapters.py), memory checks (memory.py) and the
loader that puts them together (loader.py)."""
