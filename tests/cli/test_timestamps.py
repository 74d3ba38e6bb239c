"""RFC 3161 timestamps of exported heads, against a local authority made with `openssl ts`.

The authority is a CA and a timestamping certificate made here, answering on 127.0.0.1 the
way a real one does (an HTTP POST of a timestamp query, a DER reply).
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_calls import run

ASSAY = str(Path(__file__).resolve().parents[1] / "unit" / "runs" / "data" / "assay.yaml")

TSA_CONFIG = """
[ tsa ]
default_tsa = local_tsa
[ local_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("tsa")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-subj", "/CN=elab test CA", "-days", "2", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign,cRLSign",
             cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/CN=elab test TSA", cwd=folder)
    (folder / "ext.cnf").write_text("extendedKeyUsage=critical,timeStamping\n"
                                    "keyUsage=critical,digitalSignature\n")
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "ext.cnf",
             cwd=folder)
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder))

    class Authority(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            (folder / "q.tsq").write_bytes(query)
            _openssl("ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq", "-out",
                     "r.tsr", cwd=folder)
            body = (folder / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Authority)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder / "ca.crt"
    server.shutdown()
    server.server_close()


def test_anchors_are_timestamped_and_checked(
    authority: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, ca = authority
    monkeypatch.setenv("ELAB_DATABASE_URL", f"sqlite:///{tmp_path / 'elab.db'}")
    monkeypatch.setenv("ELAB_TSA_URL", url)
    monkeypatch.setenv("ELAB_TSA_CA", str(ca))
    _, out, _ = run(["runs", "start", ASSAY, "--operator", "ana"], capsys)
    anchors = tmp_path / "anchors.jsonl"
    code, _, err = run(["runs", "anchor", "-o", str(anchors)], capsys)
    assert code == 0 and "timestamped by" in err
    assert (tmp_path / "anchors.jsonl.tsr").stat().st_size > 0
    code, _, err = run(["runs", "verify", "--anchors", str(anchors)], capsys)
    assert code == 0 and "anchors timestamped" in err
    # An anchor file made up later (a forger's own export) does not match the timestamp.
    anchors.write_text(anchors.read_text().replace(out.strip(), out.strip()) + "\n")
    code, _, err = run(["runs", "verify", "--anchors", str(anchors)], capsys)
    assert code == 1 and "does not hold" in err
