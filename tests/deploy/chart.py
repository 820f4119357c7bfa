"""Runs the pinned helm on the chart and gives the rendered manifests to tests.

Rendering goes through scripts/tools/helm.sh, the helm an operator would use;
manifests are parsed with PyYAML (Debian's python3-yaml, installed by
scripts/install-deps.sh from scripts/deps/apt-deploy.txt).
"""

import pathlib
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("tests/deploy needs PyYAML: run scripts/install-deps.sh "
             "(Debian package python3-yaml, for /usr/bin/python3)")

REPO = pathlib.Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "vercel-user-tokens"
CI_VALUES = CHART / "ci"
BAD_VALUES = pathlib.Path(__file__).resolve().parent / "bad-values"
HELM = REPO / "scripts" / "tools" / "helm.sh"

RELEASE = "vut"
NAMESPACE = "tokens"


def version():
    """The product's version, from the repository's VERSION file."""
    return (REPO / "VERSION").read_text().strip()


def ci_values_files():
    """The chart's CI values files, ci/*-values.yaml, sorted by name."""
    return sorted(CI_VALUES.glob("*-values.yaml"))


def helm(*args):
    """Runs helm with args; returns the CompletedProcess (text, not checked)."""
    return subprocess.run([str(HELM), *args], capture_output=True, text=True)


def template_args(values_files=(), set_values=()):
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    for f in values_files:
        args += ["--values", str(f)]
    for s in set_values:
        args += ["--set", s]
    return args


class Manifests:
    """The objects of one `helm template`, looked up by kind and name."""

    def __init__(self, text):
        self.text = text
        self.objects = [o for o in yaml.safe_load_all(text) if o]

    def of_kind(self, kind):
        return [o for o in self.objects if o["kind"] == kind]

    def get(self, kind, name=None):
        """The one object of kind (and name); fails when not exactly one."""
        found = [o for o in self.of_kind(kind)
                 if name is None or o["metadata"]["name"] == name]
        if len(found) != 1:
            names = [o["metadata"]["name"] for o in self.of_kind(kind)]
            raise AssertionError(
                f"expected one {kind} named {name}, rendered: {names}")
        return found[0]

    def deployment(self):
        return self.get("Deployment")

    def pod_spec(self):
        return self.deployment()["spec"]["template"]["spec"]

    def server_container(self):
        containers = self.pod_spec()["containers"]
        names = [c["name"] for c in containers]
        assert names in (["server"], ["server", "front-proxy"]), names
        return containers[0]

    def front_proxy_container(self):
        """The nginx sidecar of frontProxy.enabled, or None."""
        containers = self.pod_spec()["containers"]
        return containers[1] if len(containers) == 2 else None

    def server_args(self):
        return self.server_container()["args"]

    def flag(self, name):
        """The value of --name=value in the server's args, or None."""
        prefix = f"--{name}="
        values = [a[len(prefix):] for a in self.server_args()
                  if a.startswith(prefix)]
        assert len(values) <= 1, f"--{name} given {len(values)} times"
        return values[0] if values else None

    def test_pods(self):
        """The `helm test` pods."""
        return [o for o in self.of_kind("Pod")
                if o["metadata"].get("annotations", {}).get("helm.sh/hook")
                == "test"]

    def test_pod(self, name="health"):
        """The `helm test` pod <fullname>-test-<name>."""
        pods = [o for o in self.test_pods()
                if o["metadata"]["name"].endswith(f"-test-{name}")]
        assert len(pods) == 1, pods
        return pods[0]

    def secret_items(self, volume):
        """{secretName: [items]} of a secret or projected volume."""
        if "secret" in volume:
            return {volume["secret"]["secretName"]:
                    volume["secret"].get("items")}
        out = {}
        for source in volume.get("projected", {}).get("sources", []):
            secret = source["secret"]
            out.setdefault(secret["name"], []).extend(secret["items"])
        return out


def render(values_files=(), set_values=()):
    """Renders the chart; fails the calling test with helm's error if any."""
    result = helm(*template_args(values_files, set_values))
    if result.returncode != 0:
        raise AssertionError(f"helm template failed:\n{result.stderr}")
    return Manifests(result.stdout)


def render_notes(values_files=()):
    """NOTES.txt as `helm install` would print it. helm template leaves NOTES
    out and helm install needs a cluster, so a copy of the chart renders it
    through `tpl` into a ConfigMap."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / CHART.name
        shutil.copytree(CHART, copy)
        (copy / "templates" / "NOTES.txt").rename(copy / "notes-source.txt")
        (copy / "templates" / "notes.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n"
            "data:\n  notes: {{ tpl (.Files.Get \"notes-source.txt\") . "
            "| quote }}\n")
        args = template_args(values_files)
        args[2] = str(copy)
        result = helm(*args, "--show-only", "templates/notes.yaml")
    if result.returncode != 0:
        raise AssertionError(f"helm template failed:\n{result.stderr}")
    return yaml.safe_load(result.stdout)["data"]["notes"]
