"""The seed's build.sh, with ``terraform`` replaced by ``gitterra``, runs unchanged (on the local
backend here; the s3 backend comes with the AWS target)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.clirun import GITTERRA

MODULE = """
variable "ssh_key_name" {
  type = string
}

locals {
  project_name = "gitops-terraform"
}

resource "terraform_data" "server" {
  input = "${local.project_name} with key ${var.ssh_key_name}"
}

output "project_name" {
  value = local.project_name
}
"""

# The lines of the seed's buildspec/build.sh that drive Terraform, word for word but for the
# command's name (and the backend settings, which name an s3 bucket there).
BUILD = """
set -e
cd infra
gitterra init \\
    -input=false \\
    -backend=true \\
    -no-color

NAME=$(gitterra output | grep ^project_name | sed 's|.*= ||')
echo "NAME=$NAME"

gitterra plan \\
    -var "ssh_key_name=$SSH_KEY" \\
    -out=terraform.plan \\
    -no-color

gitterra apply \\
    -auto-approve \\
    terraform.plan \\
    -no-color

NAME=$(gitterra output | grep ^project_name | sed 's|.*= ||')
echo "NAME=$NAME"
"""


def test_build_sh_lines_run_unchanged(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(MODULE)
    env = {
        **os.environ,
        "PATH": f"{GITTERRA.parent}{os.pathsep}{os.environ['PATH']}",
        "SSH_KEY": "gitops-terraform",
    }
    proc = subprocess.run(
        ["bash", "-c", BUILD],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert "NAME=" in lines  # before the first apply there is no output yet
    assert 'NAME="gitops-terraform"' in lines
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in proc.stdout
    assert "\x1b[" not in proc.stdout  # -no-color, wherever it stands
