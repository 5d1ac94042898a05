"""Response headers: every page is served under the same strict policy its HTML declares
(only our own inline style and scripts, by hash), plus framing and sniffing protections."""

from __future__ import annotations

from analyzer.report.render import content_security_policy

REPORT_HEADERS = {
    "Content-Security-Policy": content_security_policy() + "; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # No address of ours goes to another site; our own forms keep their Origin (with
    # no-referrer, Chromium sends "Origin: null" on a same-site form post, which the gate
    # must refuse as an opaque origin).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
