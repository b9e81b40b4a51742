"""The spec-change gate: what a change of openapi.yaml breaks, for whom, and which version it needs
(`onlyoffice-contract spec-diff BASE`, `make spec-diff BASE=<ref>`; docs/spec.md, "The spec-change gate")."""
