"""The 一点通 ERP connector: the EGP/1 gateway protocol, an ERP simulator and the sync.

``egp`` holds the protocol code both sides share (signing, the HTTP client,
message shapes); ``simulator`` is a stand-alone ERP that speaks EGP/1 over its
own database. The protocol itself is documented in ``docs/erp-gateway.md``.
"""

from plugins.erp_yidiantong.manifest import MANIFEST  # noqa: E402, F401
