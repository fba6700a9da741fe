"""The evidence report renders in headless Chromium with every image loaded (skipped without Chromium)."""

import re
import shutil
import sys

import pytest

from innocap_analysis import config

sys.path.insert(0, str(config.PROJECT_ROOT / "tools"))
from check_report import check_report  # noqa: E402

REPORT = config.FIGURES_DIR / "evidence_report.html"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium not installed (make report-check)")
def test_committed_report_renders_with_every_image():
    total, loaded, broken = check_report(REPORT)
    assert total > 0
    assert broken == []
    assert loaded == total


def test_report_is_self_contained():
    html = REPORT.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "the report loads a remote resource"
    assert 'src="data:image/png;base64,' in html
    assert "synthetic" in html and "EuroGeographics" in html and "GeoNames" in html
