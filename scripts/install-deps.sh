#!/usr/bin/env bash
# Installs what the full test suite needs beyond the Rust toolchain, from Debian's, npm's
# and PyPI's registries only: Debian's chromium for the browser tests and playwright-core
# (which never downloads a browser), LibreOffice Writer for the Word reports and Calc for
# the spreadsheets (rosters it saves, reports we write). PostgreSQL is prepared by scripts/pg-start.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "安装 Debian chromium（浏览器测试用）……" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
# LibreOffice Writer (headless) opens the Word reports and converts them to PDF in tests;
# LibreOffice Calc saves rosters as .xls and opens the error reports; a CJK font draws the
# Chinese labels of the report's charts.
if ! dpkg -s libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-microhei >/dev/null 2>&1; then
  echo "安装 LibreOffice Writer、Calc 和文泉驿微米黑字体（Word 报告、Excel 文件和图表用）……" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-microhei >&2
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
# Python test tools from PyPI: pyreadstat reads the SPSS and Stata exports back, pyxform
# converts the XLSForm files dangjian writes, openpyxl writes 问卷星/腾讯问卷-style result
# files, lxml validates REFI-QDA projects against their XSD.
if [ ! -x .venv-test/bin/python ] || ! .venv-test/bin/python -c "import pyreadstat, pandas, pyxform, openpyxl, lxml" 2>/dev/null; then
  echo "安装 pyreadstat（SPSS/Stata 导出的校验用）……" >&2
  python3 -m venv .venv-test
  .venv-test/bin/pip install -q --disable-pip-version-check pyreadstat pandas pyxform openpyxl lxml >&2
fi
