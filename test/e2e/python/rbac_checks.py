"""A ServiceAccount token through the official Python client (Debian's
python3-kubernetes): listing pods is allowed, creating one is refused with a 403
ApiException. Prints one JSON object with what it saw; the vitest file asserts on it."""
import json
import sys

from cluster_client import core_api
from kubernetes import client
from kubernetes.client.rest import ApiException

server, token, namespace = sys.argv[1], sys.argv[2], sys.argv[3]
api = core_api(server, token)

result = {"pods": sorted(p.metadata.name for p in api.list_namespaced_pod(namespace).items)}
pod = client.V1Pod(metadata=client.V1ObjectMeta(name="from-python"),
                   spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:1.37")]))
try:
    api.create_namespaced_pod(namespace, pod)
    result["create"] = {"status": 201}
except ApiException as e:
    body = json.loads(e.body)
    result["create"] = {"status": e.status, "reason": body.get("reason"), "message": body.get("message")}
print(json.dumps(result))
