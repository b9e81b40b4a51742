"""A sandbox of ONLYOFFICE Workspace's "Send a message" call, driven by openapi.yaml."""
