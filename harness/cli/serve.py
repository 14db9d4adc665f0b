"""``harness serve``: keep a local server up for other commands (and people) to use.

- ``harness serve local [--port P]``: llama.cpp with the embedded SmolLM2-135M-Instruct.
- ``harness serve vllm MODEL [--tp N] [--device auto|cpu|gpu] [--vllm-args "..."]``: ``vllm serve`` on
  a GPU machine, the vLLM OpenAI server module on CPU (``HARNESS_VLLM_PYTHON`` names its interpreter).
- ``harness serve convert-gguf [--out DIR]``: the one-time GGUF -> HF conversion of SmolLM2 for vLLM.
- ``harness serve list``: servers kept up by ``harness serve`` on this machine.

The base URL is printed alone on stdout (so ``URL=$(harness serve local &)``-style scripting works);
logs go to stderr. The command blocks until Ctrl-C or SIGTERM, then stops the server's whole process
group and exits 0. While it runs, any command that names ``local`` or ``vllm:MODEL`` reuses it.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from harness.cli._command import command
from harness.errors import BadInput


def _arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    local = sub.add_parser("local", help="llama.cpp with SmolLM2-135M-Instruct (the embedded default)")
    local.add_argument("--port", type=int, default=None, help="port (default: the same free port each time)")
    local.add_argument("--n-ctx", type=int, default=4096, help="context length")
    vllm = sub.add_parser("vllm", help="vLLM: `vllm serve` on GPU, the OpenAI server module on CPU")
    vllm.add_argument("model", metavar="MODEL", help="Hugging Face id or model directory")
    vllm.add_argument("--tp", type=int, default=1, metavar="N", help="tensor-parallel size (GPUs)")
    vllm.add_argument("--port", type=int, default=None, help="port (default: the same free port each time)")
    vllm.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    vllm.add_argument("--max-model-len", type=int, default=None)
    vllm.add_argument(
        "--vllm-args", default="", metavar='"--flag value ..."', help="extra flags passed to vLLM"
    )
    vllm.add_argument("--start-timeout", type=float, default=900.0, help="seconds to wait for health")
    convert = sub.add_parser(
        "convert-gguf", help="convert the embedded SmolLM2 GGUF to a HF directory for vLLM"
    )
    convert.add_argument(
        "--out", type=Path, default=None, help="output directory (default: in the harness cache)"
    )
    sub.add_parser("list", help="servers kept up by `harness serve` on this machine")


@command("serve", "start a local model server and keep it up until Ctrl-C", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.endpoints import EndpointSpec, parse_endpoint_spec
    from harness.serve import convert_smollm2, llama_server, serve_until_stopped, vllm_server
    from harness.serve._process import stable_port

    if args.what == "convert-gguf":
        print(convert_smollm2(args.out))
        return 0
    if args.what == "list":
        return _list()
    if args.port is not None and not 0 < args.port < 65536:
        raise BadInput("--port", f"{args.port} is not a TCP port")
    if args.what == "local":
        spec: EndpointSpec = parse_endpoint_spec("local")
        server = llama_server(port=args.port or stable_port(str(spec)), n_ctx=args.n_ctx)
        return serve_until_stopped(spec, server, start_timeout=120.0)
    if args.tp < 1:
        raise BadInput("--tp", "must be at least 1")
    try:
        extra = shlex.split(args.vllm_args)
    except ValueError as exc:
        raise BadInput("--vllm-args", str(exc)) from None
    spec = parse_endpoint_spec(f"vllm:{args.model}")
    server = vllm_server(
        args.model,
        port=args.port or stable_port(str(spec)),
        device=args.device,
        tensor_parallel_size=args.tp,
        max_model_len=args.max_model_len,
        extra_args=extra,
    )
    return serve_until_stopped(spec, server, start_timeout=args.start_timeout)


def _list() -> int:
    from harness.serve.state import running_servers

    for state in running_servers():
        print(f"{state.spec}\t{state.base_url}\tpid {state.pid}\t{state.model}")
    return 0
