"""Exec through the official Python client (Debian's python3-kubernetes, v22), as its
users call it: kubernetes.stream.stream() over connect_get_namespaced_pod_exec. Prints
one JSON object with what each check saw; the vitest file asserts on it."""
import json
import sys

from cluster_client import core_api
from kubernetes.stream import stream

server, token, pod = sys.argv[1], sys.argv[2], sys.argv[3]
api = core_api(server, token)


def open_exec(command, stdin):
    # stdin=True reaches the server as "stdin=True": Python's spelling of a boolean.
    return stream(api.connect_get_namespaced_pod_exec, pod, "default", command=command,
                  stdin=stdin, stdout=True, stderr=True, tty=False, _preload_content=False)


result = {}

# An exit code: the status frame must be read before the close.
resp = open_exec(["sh", "-c", "echo out; echo err >&2; exit 7"], stdin=False)
resp.run_forever(timeout=60)
result["exit"] = {"open": resp.is_open(), "code": resp.returncode,
                  "stdout": resp.read_stdout(), "stderr": resp.read_stderr()}

# cat echoes each line while stdin stays open (v4.channel.k8s.io has no stdin close).
resp = open_exec(["cat"], stdin=True)
echoed = []
for line in ["first line\n", "second line\n"]:
    resp.write_stdin(line)
    echoed.append(resp.readline_stdout(timeout=60))
resp.close()
result["cat"] = echoed

# A shell reading stdin runs each line as it comes, stdout and stderr apart, and its
# `exit` ends the exec with that code; one line pipes text through gzip and back.
resp = open_exec(["sh"], stdin=True)
shell = {}
resp.write_stdin("echo test string 1\n")
shell["stdout"] = resp.readline_stdout(timeout=60)
resp.write_stdin("echo test string 2 >&2\n")
shell["stderr"] = resp.readline_stderr(timeout=60)
resp.write_stdin("echo through gzip | gzip -c | gunzip -c\n")
shell["gzip"] = resp.readline_stdout(timeout=60)
resp.write_stdin("printf 'through gzip\\n' | gzip -c | wc -c\n")
shell["gzipBytes"] = resp.readline_stdout(timeout=60)
resp.write_stdin("exit 3\n")
resp.run_forever(timeout=60)
shell["open"] = resp.is_open()
shell["code"] = resp.returncode
result["shell"] = shell

print(json.dumps(result))
