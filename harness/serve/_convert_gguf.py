"""GGUF -> Hugging Face model directory, for vLLM (which wants a HF directory, not a GGUF file).

Run as a script by the interpreter of the vLLM environment (``HARNESS_VLLM_PYTHON``), where
``transformers``, ``gguf`` and ``torch`` live; it imports nothing from ``harness`` so that it runs
there without the harness installed. Recipe of docs/serving.md ("vLLM", CPU): load tokenizer
and model with ``gguf_file=``, clear the GGUF quantization marks (the weights are dequantized to fp32
on load, but the config still says "gguf" and vLLM would refuse or mis-load it), ``save_pretrained``.

Usage: python _convert_gguf.py GGUF_FILE OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path


def convert(gguf: Path, out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # setattr: these are plain attributes at run time, but torch's Module typing hides that.
    setattr(model, "hf_quantizer", None)  # noqa: B010
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    setattr(model, "is_quantized", False)  # noqa: B010
    tmp = out.with_name(out.name + ".partial")
    tokenizer.save_pretrained(str(tmp))
    model.save_pretrained(str(tmp))
    tmp.rename(out)  # the directory appears whole or not at all


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: _convert_gguf.py GGUF_FILE OUT_DIR")
    convert(Path(sys.argv[1]), Path(sys.argv[2]))
