"""The official Python client pointed at a local cluster: its address and a bearer
token, as a kubeconfig would give them (wrangler dev's certificate is self-signed)."""
from kubernetes import client


def api_client(server, token):
    cfg = client.Configuration()
    cfg.host = server
    cfg.verify_ssl = False
    cfg.api_key = {"authorization": token}
    cfg.api_key_prefix = {"authorization": "Bearer"}
    return client.ApiClient(cfg)


def core_api(server, token):
    return client.CoreV1Api(api_client(server, token))
