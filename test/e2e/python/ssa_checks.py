"""Server-side apply through the official Python client's DynamicClient (python3-kubernetes
v22): create by apply, a second manager's conflict (409), a forced apply, and the
managedFields the typed client reads back. Prints one JSON line."""
import json
import sys

from kubernetes import dynamic
from kubernetes.client import CoreV1Api
from kubernetes.client.rest import ApiException

from cluster_client import api_client


def config_map(value):
    # The body goes as text: the v22 REST layer only sends dicts as JSON content types.
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-cm"}, "data": {"from": value}})


def main():
    server, token = sys.argv[1], sys.argv[2]
    api = api_client(server, token)
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    created = dyn.server_side_apply(cms, body=config_map("python"), name="py-cm", namespace="default", field_manager="python-client")
    conflict = {}
    try:
        dyn.server_side_apply(cms, body=config_map("other"), name="py-cm", namespace="default", field_manager="python-other")
    except ApiException as e:
        conflict = {"status": e.status, "body": json.loads(e.body)}
    forced = dyn.server_side_apply(cms, body=config_map("other"), name="py-cm", namespace="default", field_manager="python-other", force_conflicts=True)
    read = CoreV1Api(api).read_namespaced_config_map("py-cm", "default")
    print(json.dumps({
        "created": created.to_dict()["data"],
        "conflict": conflict,
        "forced": forced.to_dict()["data"],
        "managers": [[m.manager, m.operation] for m in read.metadata.managed_fields],
    }))


main()
