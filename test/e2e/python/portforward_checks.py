"""Port-forward through the official Python client (Debian's python3-kubernetes, v22),
as its documentation shows: kubernetes.stream.portforward over
connect_get_namespaced_pod_portforward, a socket per port, an HTTP request written to
it and the answer read until the server closes. Prints one JSON object; a read that
waits 45 s says so in it rather than leaving the test to time out."""
import json
import select
import socket
import sys

from cluster_client import core_api
from kubernetes.stream import portforward

server, token, pod = sys.argv[1], sys.argv[2], sys.argv[3]
api = core_api(server, token)

pf = portforward(api.connect_get_namespaced_pod_portforward, pod, "default", ports="80")
sock = pf.socket(80)
sock.setblocking(True)
sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept: */*\r\n\r\n")
answer = b""
sock.settimeout(45)
try:
    while True:
        select.select([sock], [], [], 45)
        data = sock.recv(1024)
        if not data:
            break
        answer += data
except socket.timeout:
    print(json.dumps({"status": "no end after %d bytes: the socket stayed open" % len(answer), "welcome": False, "error": pf.error(80)}))
    sys.exit(0)
sock.close()
text = answer.decode("utf-8")
print(json.dumps({"status": text.split("\r\n", 1)[0], "welcome": "Welcome to nginx!" in text, "error": pf.error(80)}))
