"""``harness serve``: keep a local server up for other commands (and people) to use.

- ``harness serve local [--port P] [--replicas N]``: llama.cpp with the embedded SmolLM2-135M-Instruct.
- ``harness serve vllm MODEL [--tp N] [--device auto|cpu|gpu] [--vllm-args "..."]``: ``vllm serve`` on
  a GPU machine, the vLLM OpenAI server module on CPU (``HARNESS_VLLM_PYTHON`` names its interpreter).
  ``--replicas N --gpus-per-replica K`` starts N servers, replica i on GPUs i*K..i*K+K-1 with tensor
  parallelism K; the client routes among them (:mod:`harness.client._replicas`).
- ``harness serve convert-gguf [--out DIR]``: the one-time GGUF -> HF conversion of SmolLM2 for vLLM.
- ``harness serve list``: servers up on this machine, kept by ``harness serve`` or started by a command
  (score, generate, ...) for itself while it runs.

The base URL (replicas: the URLs, comma-separated) is printed alone on stdout (so ``URL=$(harness serve local &)``-style scripting works);
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
    local.add_argument(
        "--replicas", type=int, default=1, metavar="N", help="servers of the model (default 1)"
    )
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
    vllm.add_argument("--replicas", type=int, default=1, metavar="N", help="servers of the model (default 1)")
    vllm.add_argument("--gpus-per-replica", type=int, default=None, metavar="K",
                      help="GPUs per replica (default: --tp); replica i gets GPUs i*K..i*K+K-1")  # fmt: skip
    convert = sub.add_parser(
        "convert-gguf", help="convert the embedded SmolLM2 GGUF to a HF directory for vLLM"
    )
    convert.add_argument(
        "--out", type=Path, default=None, help="output directory (default: in the harness cache)"
    )
    sub.add_parser(
        "list", help="servers up on this machine: kept by `harness serve`, or started by a running command"
    )


@command("serve", "start a local model server and keep it up until Ctrl-C", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.endpoints import EndpointSpec, parse_endpoint_spec
    from harness.serve import convert_smollm2, llama_server, serve_until_stopped, vllm_server

    if args.what == "convert-gguf":
        print(convert_smollm2(args.out))
        return 0
    if args.what == "list":
        return _list()
    if args.port is not None and not 0 < args.port < 65536:
        raise BadInput("--port", f"{args.port} is not a TCP port")
    if args.replicas < 1:
        raise BadInput("--replicas", "must be at least 1")
    if args.what == "local":
        spec: EndpointSpec = parse_endpoint_spec("local")
        servers = [
            llama_server(port=replica_port(spec, i, args.port), n_ctx=args.n_ctx)
            for i in range(args.replicas)
        ]
        return serve_until_stopped(spec, servers, start_timeout=120.0)
    if args.tp < 1:
        raise BadInput("--tp", "must be at least 1")
    per_replica = args.gpus_per_replica or args.tp
    if per_replica < args.tp:
        raise BadInput("--gpus-per-replica", f"{per_replica} is fewer than --tp {args.tp}")
    try:
        extra = shlex.split(args.vllm_args)
    except ValueError as exc:
        raise BadInput("--vllm-args", str(exc)) from None
    spec = parse_endpoint_spec(f"vllm:{args.model}")
    pin = args.replicas > 1 or args.gpus_per_replica is not None
    servers = [
        vllm_server(
            args.model,
            port=replica_port(spec, i, args.port),
            device=args.device,
            tensor_parallel_size=args.tp,
            max_model_len=args.max_model_len,
            extra_args=extra,
            gpus=tuple(range(i * per_replica, (i + 1) * per_replica)) if pin else None,
        )
        for i in range(args.replicas)
    ]
    return serve_until_stopped(spec, servers, start_timeout=args.start_timeout)


def replica_port(spec: object, index: int, port: int | None) -> int:
    """Replica 0 gets the single server's port (so its URL, which names the endpoint in the cache, is
    the same with or without replicas); replica i the next ports after ``--port``, else its own stable
    port."""
    from harness.serve._process import stable_port
    from harness.serve.state import port_key

    if port is not None:
        return port + index
    return stable_port(port_key(str(spec), index))


def _list() -> int:
    from harness.serve.state import running_servers

    for state in running_servers():
        kept = (
            f"per command: started by {state.started_by}, stops with it"
            if state.started_by
            else "kept by harness serve"
        )
        print(f"{state.spec}\t{state.base_url}\tpid {state.pid}\t{state.model}\t{kept}")
    return 0
