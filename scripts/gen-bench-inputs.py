#!/usr/bin/env python3
"""Writes the inputs of the scan / who-can / template benchmarks (README, Benchmarks):

  OUT/inventory/        5,000 roles (two accounts) and 500 keys as AWS CLI outputs, with a
                        kmsguard.inventory.toml, plus 50 buckets replicating SSE-KMS objects
  OUT/template.yaml     a CloudFormation template of 2,000 resources (keys with key policies,
                        roles with inline policies, buckets with encryption and replication)
  OUT/plan.json         a Terraform plan (`terraform show -json` shape) of 2,000 resources

Deterministic (seeded), so every run measures the same inputs. Usage:
  python3 scripts/gen-bench-inputs.py OUT
"""

import json
import os
import random
import sys

A, B = "111111111111", "222222222222"
REGION = "eu-west-1"
ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey",
           "kms:ReEncrypt*", "kms:CreateGrant"]


def key_id(i):
    return f"{i:08x}-0000-4000-8000-{i:012x}"


def key_arn(i):
    return f"arn:aws:kms:{REGION}:{A}:key/{key_id(i)}"


def role_account(i):
    return A if i % 2 == 0 else B


def role_arn(i):
    return f"arn:aws:iam::{role_account(i)}:role/app-{i}"


def key_policy(rng, roles, account=A):
    st = [{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
           "Action": "kms:*", "Resource": "*"}]
    for n in range(rng.randrange(4)):
        s = {"Sid": f"Use{n}", "Effect": "Allow", "Principal": {"AWS": role_arn(rng.randrange(roles))},
             "Action": rng.choice(ACTIONS), "Resource": "*"}
        c = rng.randrange(4)
        if c == 0:
            s["Condition"] = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}
        elif c == 1:
            s["Condition"] = {"StringEquals": {"kms:CallerAccount": rng.choice([A, B])}}
        st.append(s)
    return {"Version": "2012-10-17", "Statement": st}


def identity_policy(rng, keys):
    st = []
    for _ in range(1 + rng.randrange(3)):
        res = "*" if rng.randrange(4) == 0 else key_arn(rng.randrange(keys))
        st.append({"Effect": "Allow", "Action": rng.choice(ACTIONS), "Resource": res})
    return {"Version": "2012-10-17", "Statement": st}


TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def inventory(out, roles=5000, keys=500, buckets=50):
    rng = random.Random(42)
    for account in (A, B):
        details = {"RoleDetailList": [], "UserDetailList": [], "GroupDetailList": [], "Policies": []}
        for i in range(roles):
            if role_account(i) != account:
                continue
            details["RoleDetailList"].append({
                "Path": "/", "RoleName": f"app-{i}", "RoleId": f"AROA{i:017d}",
                "Arn": role_arn(i), "CreateDate": "2025-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": TRUST,
                "RolePolicyList": [{"PolicyName": "kms", "PolicyDocument": identity_policy(rng, keys)}],
                "AttachedManagedPolicies": [], "Tags": [],
            })
        write(f"{out}/{account}-{REGION}/iam/get-account-authorization-details.json", details)
    manifest = [f'account = "{A}"', f'region = "{REGION}"', 'state = "current"', ""]
    base = f"{out}/{A}-{REGION}"
    for i in range(keys):
        write(f"{base}/kms/describe-key-{key_id(i)}.json", {"KeyMetadata": {
            "AWSAccountId": A, "KeyId": key_id(i), "Arn": key_arn(i),
            "CreationDate": "2025-01-01T00:00:00Z", "Enabled": True, "Description": "",
            "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False}})
        write(f"{base}/kms/get-key-policy-{key_id(i)}.json",
              {"Policy": json.dumps(key_policy(rng, roles), indent=2), "PolicyName": "default"})
        write(f"{base}/kms/get-key-rotation-status-{key_id(i)}.json",
              {"KeyRotationEnabled": rng.randrange(5) != 0, "KeyId": key_arn(i),
               "RotationPeriodInDays": 365})
        manifest += ["[[file]]", f'path = "kms/get-key-policy-{key_id(i)}.json"',
                     'kind = "key-policy"', f'key = "{key_arn(i)}"', ""]
    for b in range(buckets):
        src, dst = f"bench-src-{b}", f"bench-dst-{b}"
        for name, k in ((src, 2 * b % keys), (dst, (2 * b + 1) % keys)):
            write(f"{base}/s3/{name}/get-bucket-encryption.json", {"ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                           "KMSMasterKeyID": key_arn(k)}, "BucketKeyEnabled": True}]}})
            write(f"{base}/s3/{name}/get-bucket-location.json", {"LocationConstraint": REGION})
            manifest += ["[[file]]", f'path = "s3/{name}/get-bucket-encryption.json"',
                         'kind = "bucket-encryption"', f'bucket = "{name}"', "",
                         "[[file]]", f'path = "s3/{name}/get-bucket-location.json"',
                         'kind = "bucket-location"', f'bucket = "{name}"', ""]
        write(f"{base}/s3/{src}/get-bucket-replication.json", {"ReplicationConfiguration": {
            "Role": role_arn(2 * b), "Rules": [{"ID": "all", "Priority": 1, "Filter": {},
            "Status": "Enabled", "DeleteMarkerReplication": {"Status": "Disabled"},
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            "Destination": {"Bucket": f"arn:aws:s3:::{dst}", "EncryptionConfiguration": {
                "ReplicaKmsKeyID": key_arn((2 * b + 1) % keys)}}}]}})
        manifest += ["[[file]]", f'path = "s3/{src}/get-bucket-replication.json"',
                     'kind = "bucket-replication"', f'bucket = "{src}"', ""]
    with open(f"{base}/kmsguard.inventory.toml", "w") as f:
        f.write("\n".join(manifest))
    with open(f"{out}/{B}-{REGION}/kmsguard.inventory.toml", "w") as f:
        f.write(f'account = "{B}"\nregion = "{REGION}"\nstate = "current"\n')


def template(path, resources=2000):
    rng = random.Random(7)
    third = resources // 3
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Description: generated benchmark template",
             "Resources:"]
    for i in range(third):
        pol = key_policy(rng, third)
        pol["Statement"][0]["Principal"]["AWS"] = "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
        body = json.dumps(pol, indent=2).replace(
            '"!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root"',
            '{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}')
        lines += [f"  Key{i}:", "    Type: AWS::KMS::Key", "    Properties:",
                  "      EnableKeyRotation: true", "      KeyPolicy:"]
        lines += ["        " + l for l in body.splitlines()]
    for i in range(third):
        lines += [f"  Role{i}:", "    Type: AWS::IAM::Role", "    Properties:",
                  f"      RoleName: app-{i}", "      AssumeRolePolicyDocument:",
                  "        Version: '2012-10-17'", "        Statement:",
                  "          - Effect: Allow", "            Principal: {Service: ec2.amazonaws.com}",
                  "            Action: sts:AssumeRole", "      Policies:", "        - PolicyName: kms",
                  "          PolicyDocument:", "            Version: '2012-10-17'", "            Statement:",
                  "              - Effect: Allow", f"                Action: {rng.choice(ACTIONS)}",
                  f"                Resource: !GetAtt Key{rng.randrange(third)}.Arn"]
    for i in range(resources - 2 * third):
        lines += [f"  Bucket{i}:", "    Type: AWS::S3::Bucket", "    Properties:",
                  f"      BucketName: !Sub bench-${{AWS::AccountId}}-{i}", "      BucketEncryption:",
                  "        ServerSideEncryptionConfiguration:",
                  "          - ServerSideEncryptionByDefault:", "              SSEAlgorithm: aws:kms",
                  f"              KMSMasterKeyID: !GetAtt Key{i % third}.Arn",
                  "            BucketKeyEnabled: true"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def plan(path, resources=2000):
    rng = random.Random(9)
    third = resources // 3
    changes, planned = [], []

    def add(address, rtype, name, after, unknown):
        changes.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": after,
                                   "after_unknown": unknown, "before_sensitive": False,
                                   "after_sensitive": {}}})
        planned.append({"address": address, "mode": "managed", "type": rtype, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "schema_version": 0, "values": after})

    for i in range(third):
        add(f"aws_kms_key.k{i}", "aws_kms_key", f"k{i}",
            {"description": f"key {i}", "enable_key_rotation": True,
             "customer_master_key_spec": "SYMMETRIC_DEFAULT", "key_usage": "ENCRYPT_DECRYPT",
             "is_enabled": True, "multi_region": False, "deletion_window_in_days": 30,
             "policy": json.dumps(key_policy(rng, third))},
            {"arn": True, "id": True, "key_id": True})
    for i in range(third):
        add(f"aws_iam_role.r{i}", "aws_iam_role", f"r{i}",
            {"name": f"app-{i}", "path": "/", "assume_role_policy": json.dumps(TRUST),
             "inline_policy": [{"name": "kms", "policy": json.dumps(identity_policy(rng, third))}]},
            {"arn": True, "id": True, "unique_id": True})
    for i in range(resources - 2 * third):
        add(f"aws_s3_bucket.b{i}", "aws_s3_bucket", f"b{i}", {"bucket": f"bench-{i}"},
            {"arn": True, "id": True})
    doc = {"format_version": "1.2", "terraform_version": "1.9.8",
           "planned_values": {"root_module": {"resources": planned}},
           "resource_changes": changes,
           "configuration": {"provider_config": {"aws": {"name": "aws", "full_name":
                             "registry.terraform.io/hashicorp/aws",
                             "expressions": {"region": {"constant_value": REGION}}}},
                             "root_module": {"resources": []}}}
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "target/bench-inputs"
    inventory(f"{out}/inventory")
    template(f"{out}/template.yaml")
    plan(f"{out}/plan.json")


if __name__ == "__main__":
    main()
