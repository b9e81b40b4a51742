"""A schemathesis conformance suite for PUT /api/2.0/mail/messages/send, driven by openapi.yaml."""
