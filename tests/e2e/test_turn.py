"""A call forced through a real coturn relay, with the short-lived credentials the
office issues (coturn REST-API scheme) — proving coturn accepts them."""

import re
import secrets
import shutil
import subprocess
import time

import pytest
from playwright.sync_api import expect

from ..server import free_port
from .flows import knock, poll, set_presence, staff_login, wait_for_media

pytestmark = pytest.mark.e2e

RELAYED = """() => Promise.all([...window.bbCall.mesh.peers.values()].map(async (peer) => {
  const stats = await peer.pc.getStats();
  const transport = [...stats.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair = transport && stats.get(transport.selectedCandidatePairId);
  if (!pair) return null;
  return [stats.get(pair.localCandidateId).candidateType, stats.get(pair.remoteCandidateId).candidateType];
}))"""


@pytest.fixture
def coturn(tmp_path):
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("coturn's turnserver not found: run `make browser` (apt-get install coturn)")
    port, secret = free_port(), secrets.token_hex(16)
    min_port = 49152 + secrets.randbelow(10000)
    log = open(tmp_path / "coturn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            binary,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=buergerbuero.test",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--fingerprint",
            f"--min-port={min_port}",
            f"--max-port={min_port + 200}",
            "--log-file=stdout",
            "--simple-log",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(0.5)
    assert process.poll() is None, (tmp_path / "coturn.log").read_text()
    yield {
        "url": f"turn:127.0.0.1:{port}?transport=udp",
        "secret": secret,
        "log": tmp_path / "coturn.log",
    }
    process.terminate()
    process.wait(10)
    log.close()


def test_call_through_turn_relay_with_issued_credentials(own_server, new_page, coturn):
    server = own_server(
        {
            "TURN_URLS": coturn["url"],
            "TURN_SECRET": coturn["secret"],
            "ICE_TRANSPORT_POLICY": "relay",
        }
    )
    staff = new_page(base_url=server.url)
    citizen = new_page(base_url=server.url)
    staff_login(staff)
    set_presence(staff, "Available")
    knock(citizen, "Über Relais")
    staff.locator(".queue-entry", has_text="Über Relais").get_by_role(
        "button", name="Admit: Über Relais"
    ).click()
    expect(citizen).to_have_url(re.compile(r"/gespraech/[\w-]+/$"))

    wait_for_media(citizen, 1)
    wait_for_media(staff, 1)
    for page in (citizen, staff):
        assert poll(
            page, f"() => ({RELAYED})().then((pairs) => pairs.every(Boolean) && pairs)"
        ) == [["relay", "relay"]]

    # The relay refuses a tampered credential: no relay candidate can be gathered.
    gather = """async (tamper) => {
      const servers = window.bbCall.mesh.config.iceServers.map((s) => ({ ...s }));
      if (tamper) servers.forEach((s) => { if (s.credential) s.credential = 'x' + s.credential.slice(1); });
      const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
      const found = [];
      pc.onicecandidate = (e) => e.candidate && e.candidate.candidate && found.push(e.candidate.type);
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((done) => {
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done();
        setTimeout(done, 8000);
      });
      pc.close();
      return found;
    }"""
    assert citizen.evaluate(gather, False) == ["relay"]
    assert citizen.evaluate(gather, True) == []
