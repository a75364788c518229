"""interopcheck on the realcloud test bed: Keystone, the catalog, TLS, token renewal, secrets.

Run with ``pytest -m realcloud tests/functional/realcloud -p no:cacheprovider -s`` (the
figures are printed). The bed (:mod:`tests.support.testbed`) is one real Keystone with
60-second tokens, the real Placement (``real``, RegionOne) and refcloud (``ref``,
RegionTwo), both behind keystonemiddleware and behind nginx with a throwaway CA.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests.support.real_placement import real_placement
from tests.support.testbed import Testbed

pytestmark = pytest.mark.realcloud

INTEROPCHECK = str(Path(sys.executable).parent / "interopcheck")
#: Per-call timeout: generous, the bed's services share two cores with everything else.
TIMEOUT = ["--timeout", "120"]
#: A Keystone fernet token, wherever it might leak.
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-=]{40,}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run(bed: Testbed, args: list[str], out_dir: Path, name: str, **env: str
        ) -> tuple[int, str, str, float]:
    """``interopcheck ARGS`` with the bed's clouds.yaml; stdout/stderr kept in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = subprocess.run([INTEROPCHECK, *args], env=bed.env(**env), capture_output=True,
                          text=True, timeout=1800, cwd=out_dir)
    seconds = time.monotonic() - started
    (out_dir / f"{name}.stdout").write_text(done.stdout)
    (out_dir / f"{name}.stderr").write_text(done.stderr)
    return done.returncode, done.stdout, done.stderr, seconds


def assert_no_secret(bed: Testbed, directory: Path) -> int:
    """No password, application-credential secret or token in any file under directory."""
    files = [p for p in directory.rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(errors="replace")
        for secret in bed.secrets:
            assert secret not in text, f"a secret of the test bed is in {path}"
        assert not FERNET.search(text), f"a Keystone token is in {path}"
    return len(files)


def keystone_logins(bed: Testbed) -> int:
    """POST /v3/auth/tokens by interopcheck (openstacksdk's user agent) through the proxy."""
    log = bed.directory / "nginx" / "access.log"
    return sum(1 for line in log.read_text().splitlines()
               if '"POST /v3/auth/tokens ' in line and "openstacksdk" in line)


def test_diff_real_vs_ref_whole_profile_renews_tokens(bed: Testbed, tmp_path: Path) -> None:
    """Every scenario at every common version: 0 findings, no problem, exit 0, though the
    sweep outlives several tokens; nothing written holds a secret."""
    logins_before = keystone_logins(bed)
    report_dir = tmp_path / "reports"
    args = ["diff", "--os-cloud-a", "real", "--os-cloud-b", "ref", "--report-dir",
            str(report_dir), *TIMEOUT]
    code, out, err, seconds = run(bed, args, tmp_path, "diff")
    logins = keystone_logins(bed) - logins_before
    report = json.loads((report_dir / "report.json").read_text())
    assert code == 0, out[-3000:] + err[-2000:]
    assert report["findings"] == [] and report["problems"] == []
    assert "0 findings" in out
    assert report["microversions"][0] == "1.0" and report["microversions"][-1] == "1.39"
    assert "https://127.0.0.1:" in out  # the catalog's TLS endpoints
    assert seconds > 2 * bed.token_expiration, "the sweep must outlive a token"
    # each cloud logs in once and then again at least once per token lifetime
    assert logins >= 2 * int(seconds // bed.token_expiration), logins
    files = assert_no_secret(bed, tmp_path)
    print(f"\nrealcloud diff: {seconds:.0f} s, {len(report['microversions'])} versions, "
          f"token lifetime {bed.token_expiration} s, {logins} Keystone logins by "
          f"interopcheck (2 clouds), {files} files checked for secrets")


def _findings(path: Path) -> set[str]:
    data = json.loads(path.read_text())
    return {_UUID.sub("<uuid>", json.dumps(f, sort_keys=True)) for f in data["findings"]}


#: Calls whose answer comes from the auth layer, not from Placement: no token, or a
#: noauth2 identity ("alice:<project>" plus X-Roles) that Keystone does not know.
_AUTH_LAYER = ("scenario auth-and-policy ", "without a token")


def test_check_through_keystone_finds_what_noauth2_finds(bed: Testbed, tmp_path: Path) -> None:
    with real_placement() as noauth_url:
        results: dict[str, tuple[int, str, str, float]] = {}

        def check(name: str, args: list[str]) -> None:
            results[name] = run(bed, ["check", *args, *TIMEOUT, "--format", "json", "--output",
                                      str(tmp_path / f"{name}.json")], tmp_path, name)

        threads = [threading.Thread(target=check, args=("keystone", ["--os-cloud", "real"])),
                   threading.Thread(target=check, args=("noauth2", [noauth_url]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results["keystone"][0] == results["noauth2"][0] == 1  # strict mode fails on both
    keystone, noauth2 = _findings(tmp_path / "keystone.json"), _findings(
        tmp_path / "noauth2.json")
    differ = {json.loads(f)["where"] for f in keystone ^ noauth2}
    assert differ and all(any(m in w for m in _AUTH_LAYER) for w in differ), differ
    same = {f for f in keystone if not any(m in json.loads(f)["where"] for m in _AUTH_LAYER)}
    assert same == {f for f in noauth2
                    if not any(m in json.loads(f)["where"] for m in _AUTH_LAYER)}
    assert len(same) > 400
    assert_no_secret(bed, tmp_path)
    print(f"\nrealcloud check: {len(same)} findings identical with noauth2; "
          f"{len(differ)} calls answered by the auth layer differ; "
          f"{results['keystone'][3]:.0f} s through Keystone + TLS")


@pytest.mark.parametrize(("args", "expected"), [
    (["check", "--os-cloud", "real-badpass"],
     "interopcheck: --os-cloud real-badpass: Keystone at https://127.0.0.1:{ks}/v3 rejected "
     "the credentials (401): check the user name, password or application credential of "
     "that cloud\n"),
    (["diff", "--os-cloud-a", "real", "--os-cloud-b", "nosuch"],
     "interopcheck: --os-cloud-b nosuch: no cloud of that name ({clouds}; clouds there: "
     "real, real-appcred, real-badpass, real-noca, real-token, ref): check the name, or "
     "point OS_CLIENT_CONFIG_FILE at your clouds.yaml\n"),
    (["check", "--os-cloud", "real", "--profile", "compute"],
     "interopcheck: --os-cloud real: the service catalog has no 'compute' endpoint "
     "(interface public, region RegionOne; types there: identity, placement): choose the "
     "right cloud, --region-name or --interface\n"),
    (["check", "--os-cloud", "real-noca"],
     "interopcheck: --os-cloud real-noca: the TLS certificate of Keystone at "
     "https://127.0.0.1:{ks}/v3 is not trusted (unable to get local issuer certificate): "
     "give its CA with --cacert FILE or cacert: in clouds.yaml\n"),
    (["check", "{placement}", "--scenario", "root"],
     "interopcheck: URL: the TLS certificate of {placement} is not trusted (unable to get "
     "local issuer certificate): give its CA with --cacert FILE (or cacert: in clouds.yaml), "
     "or --insecure to skip the check\n"),
], ids=["wrong-password", "unknown-cloud", "service-not-in-catalog", "unknown-ca-keystone",
        "unknown-ca-url"])
def test_failures_are_one_line_and_exit_2(bed: Testbed, tmp_path: Path, args: list[str],
                                          expected: str) -> None:
    ks = bed.keystone_url.split(":")[2].split("/")[0]
    fill = {"ks": ks, "clouds": str(bed.clouds_yaml), "placement": bed.placement_url}
    code, out, err, _s = run(bed, [a.format(**fill) for a in args], tmp_path, "fail")
    assert code == 2
    assert err == expected.format(**fill)
    assert out == ""
    assert_no_secret(bed, tmp_path)


def test_application_credential_token_and_tls_options(bed: Testbed, tmp_path: Path) -> None:
    """v3applicationcredential and token clouds; --cacert and --insecure on a cloud
    whose clouds.yaml has no CA; a URL with a Keystone cloud's token is not needed."""
    # a token cloud lives as long as its token: a fresh one, and a short run
    clouds = yaml.safe_load(bed.clouds_yaml.read_text())
    clouds["clouds"]["real-token"]["auth"]["token"] = bed.issue_token()
    token_yaml = bed.directory / "clouds-token.yaml"  # outside tmp_path: it holds a secret
    token_yaml.write_text(yaml.safe_dump(clouds))
    code, out, err, _s = run(bed, ["diff", "--os-cloud-a", "real-token", "--os-cloud-b",
                                   "ref", "--scenario", "root", "--microversions", "1.0",
                                   *TIMEOUT], tmp_path, "token",
                             OS_CLIENT_CONFIG_FILE=str(token_yaml))
    assert code == 0, out + err
    small = ["--scenario", "root", "--scenario", "provider-lifecycle",
             "--microversions", "1.0,1.39", *TIMEOUT]
    code, out, err, _s = run(bed, ["diff", "--os-cloud-a", "real-appcred", "--os-cloud-b",
                                   "ref", *small], tmp_path, "appcred")
    assert code == 0, out + err
    assert "0 findings" in out
    code, out, err, _s = run(bed, ["diff", "--os-cloud-a", "real-noca", "--os-cloud-b", "ref",
                                   "--cacert", str(bed.ca_file), *small], tmp_path, "cacert")
    assert code == 0, out + err
    code, out, err, _s = run(bed, ["diff", "--os-cloud-a", "real-noca", "--os-cloud-b", "ref",
                                   "--insecure", *small, "--report-dir",
                                   str(tmp_path / "insecure")], tmp_path, "insecure")
    assert code == 0, out + err
    assert "(TLS NOT VERIFIED: --insecure)" in out
    report = json.loads((tmp_path / "insecure" / "report.json").read_text())
    assert "TLS NOT VERIFIED" in json.dumps(report)
    assert_no_secret(bed, tmp_path)


def test_plugin_with_clouds_by_name(bed: Testbed, pytester: pytest.Pytester,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in bed.env().items():
        monkeypatch.setenv(name, value)
    report_dir = pytester.path / "reports"
    result = pytester.runpytest("-p", "no:cacheprovider", "--interop-os-cloud-a", "real",
                                "--interop-os-cloud-b", "ref", "--interop-microversions",
                                "1.0,1.20,latest-common", "--interop-timeout", "120",
                                "--interop-report",
                                str(report_dir))
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 40 and "failed" not in outcomes \
        and "errors" not in outcomes, result.stdout.str()[-3000:]
    guideline = pytester.runpytest("-p", "no:cacheprovider", "--interop-os-cloud", "real",
                                   "--interop-scenario", "root", "--interop-check-mode",
                                   "tolerant")
    assert guideline.parseoutcomes().get("passed", 0) >= 1 and \
        "failed" not in guideline.parseoutcomes(), guideline.stdout.str()[-3000:]
    (pytester.path / "terminal.txt").write_text(result.stdout.str() + result.stderr.str()
                                                + guideline.stdout.str())
    assert_no_secret(bed, pytester.path)
