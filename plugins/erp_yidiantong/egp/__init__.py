"""EGP/1, the gateway protocol between the platform and the agent beside the ERP.

Shared by both sides: :mod:`.signing` (HMAC request/response signatures),
:mod:`.client` (the platform's HTTP client), :mod:`.shapes` (codes, stages,
event types, envelopes). The wire format is specified in
``docs/erp-gateway.md``.
"""
