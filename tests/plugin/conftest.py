"""Helpers for pytester tests of the plugin."""

from __future__ import annotations

import textwrap
from pathlib import Path

import cfnlint.api
import cfnlint.decode.decode
import pytest
import samtranslator.translator.translator

# pytester's inline runs drop from sys.modules what a run imported. cfn-lint registers YAML
# constructors on PyYAML's loader classes when it is imported, so a second import in a later run
# mixes its node classes with the first's ("could not determine a constructor for the tag None").
# Importing cfn-lint and samtranslator here keeps one copy for every run.
_KEEP_LOADED = (cfnlint.api, cfnlint.decode.decode, samtranslator.translator.translator)

SMALL_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub "small ${Stage}"
      EnableKeyRotation: true
      Tags:
        - {Key: Project, Value: small}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !Ref Key
      Tags:
        - {Key: Project, Value: small}
        - {Key: Env, Value: !Ref Stage}
Outputs:
  QueueUrl:
    Value: !Ref Queue
  KeyArn:
    Value: !GetAtt Key.Arn
"""


@pytest.fixture
def small_design(pytester: pytest.Pytester) -> Path:
    """A user design folder ``designs/small`` in the pytester directory."""
    folder = pytester.mkdir("designs").joinpath("small")
    folder.mkdir()
    folder.joinpath("template.yaml").write_text(SMALL_TEMPLATE)
    folder.joinpath("design.yaml").write_text(textwrap.dedent("""\
        name: small
        title: A small design for tests
        parameters: {Stage: dev}
    """))
    return folder
