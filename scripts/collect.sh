#!/usr/bin/env bash
# Collects an inventory directory for kmsguard from one AWS account and Region.
#
# Runs read-only AWS CLI commands and writes their JSON output, unchanged, under
# OUT/<account>-<region>/, with a kmsguard.inventory.toml manifest that says what each
# output belongs to (a bucket, a key, a policy). Run it once per account and Region
# involved (for cross-account or cross-Region setups), into the same OUT, then:
#
#   kmsguard ... OUT/
#
# Usage:
#   scripts/collect.sh --out DIR [--profile NAME] [--region REGION]
#                      [--key KEY]... [--all-keys] [--bucket NAME]...
#                      [--image AMI_ID]... [--snapshot SNAP_ID]...
#                      [--table NAME]... [--global-cluster ID]...
#                      [--org-policy POLICY_ID]... [--org-account ACCOUNT_ID]...
#                      [--no-iam] [--no-follow] [--state current|proposed]
#
#   --key KEY          a key id, key ARN, alias name or alias ARN (repeatable)
#   --all-keys         every key of the account in the Region (aws kms list-keys)
#   --bucket NAME      an S3 bucket (repeatable); its own Region is used for its calls
#   --image AMI_ID     an AMI (repeatable); its EBS snapshots are collected too
#   --snapshot SNAP_ID an EBS snapshot (repeatable)
#   --table NAME       a DynamoDB table (repeatable); for a global table, run once per Region
#   --global-cluster ID an Aurora global database (repeatable)
#   --org-policy ID    an SCP or RCP (p-...), with its targets; needs the management account
#                      or a delegated administrator
#   --org-account ID   an account whose path from the root (list-parents) goes into the
#                      manifest; same permissions as --org-policy
#   --no-iam           skip aws iam get-account-authorization-details
#   --no-follow        do not add the keys that collected buckets, snapshots and images name
#   --state STATE      mark everything collected as current (default) or proposed
#
# Needs the AWS CLI (v1 or v2) and read permissions: kms:DescribeKey, kms:GetKeyPolicy,
# kms:GetKeyRotationStatus, kms:ListGrants, kms:ListAliases, kms:ListKeys,
# iam:GetAccountAuthorizationDetails, s3:GetBucketLocation, s3:GetEncryptionConfiguration,
# s3:GetBucketVersioning, s3:GetReplicationConfiguration, s3:GetBucketPolicy,
# ec2:DescribeImages, ec2:DescribeImageAttribute, ec2:DescribeSnapshots,
# ec2:DescribeSnapshotAttribute, ec2:GetEbsDefaultKmsKeyId, dynamodb:DescribeTable,
# rds:DescribeGlobalClusters, organizations:DescribePolicy,
# organizations:ListTargetsForPolicy, organizations:ListParents,
# organizations:DescribeOrganization, sts:GetCallerIdentity. A command that fails (no
# permission, no such configuration) is reported on stderr and its file is left out.
#
# The file names and the manifest format are described in docs/inventory.md. Client-side
# encryption cannot be collected: declare it ([[client_side_encryption]]) in a manifest this
# script does not write, such as OUT/kmsguard.inventory.toml.

set -euo pipefail

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
}

out=""
profile=""
region=""
state="current"
iam=1
follow=1
all_keys=0
keys=()
buckets=()
images=()
snapshots=()
tables=()
global_clusters=()
org_policies=()
org_accounts=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="${2:?}"; shift 2 ;;
        --profile) profile="${2:?}"; shift 2 ;;
        --region) region="${2:?}"; shift 2 ;;
        --state) state="${2:?}"; shift 2 ;;
        --key) keys+=("${2:?}"); shift 2 ;;
        --all-keys) all_keys=1; shift ;;
        --bucket) buckets+=("${2:?}"); shift 2 ;;
        --image) images+=("${2:?}"); shift 2 ;;
        --snapshot) snapshots+=("${2:?}"); shift 2 ;;
        --table) tables+=("${2:?}"); shift 2 ;;
        --global-cluster) global_clusters+=("${2:?}"); shift 2 ;;
        --org-policy) org_policies+=("${2:?}"); shift 2 ;;
        --org-account) org_accounts+=("${2:?}"); shift 2 ;;
        --no-iam) iam=0; shift ;;
        --no-follow) follow=0; shift ;;
        -h|--help) usage ;;
        *) echo "collect.sh: unknown argument: $1" >&2; usage ;;
    esac
done

[[ -n "$out" ]] || { echo "collect.sh: --out DIR is required" >&2; usage; }
[[ "$state" == current || "$state" == proposed ]] || {
    echo "collect.sh: --state must be current or proposed" >&2
    exit 2
}
command -v aws >/dev/null || { echo "collect.sh: the AWS CLI (aws) is not installed" >&2; exit 2; }

# No pager (CLI v2), JSON output whatever the user's configuration says.
export AWS_PAGER=""
base=(aws --output json)
[[ -n "$profile" ]] && base+=(--profile "$profile")
if [[ -z "$region" ]]; then
    region="$("${base[@]}" configure get region || true)"
fi
[[ -n "$region" ]] || { echo "collect.sh: no Region: pass --region" >&2; exit 2; }

# `awsr REGION args...` runs the CLI in REGION; `awsc args...` in the collection Region.
awsr() {
    local r="$1"
    shift
    "${base[@]}" --region "$r" "$@"
}
awsc() { awsr "$region" "$@"; }

account="$(awsc sts get-caller-identity --query Account --output text)"
dir="$out/$account-$region"
# A second run replaces what an earlier run wrote; anything else is left alone.
if [[ -e "$dir" ]]; then
    if head -n 1 "$dir/kmsguard.inventory.toml" 2>/dev/null | grep -q '^# Written by scripts/collect.sh'; then
        rm -rf "$dir"
    elif [[ -n "$(ls -A "$dir")" ]]; then
        echo "collect.sh: $dir exists and was not written by collect.sh; remove it first" >&2
        exit 2
    fi
fi
mkdir -p "$dir"
manifest="$dir/kmsguard.inventory.toml"
entries="$(mktemp)"
trap 'rm -f "$entries"' EXIT

echo "collect.sh: account $account, Region $region -> $dir" >&2

# `save FILE CMD...`: runs CMD, writes its output to DIR/FILE; on failure reports it, leaves
# no file and returns 1. An empty output (get-bucket-versioning of a bucket never versioned)
# is written as {}.
save() {
    local name="$1"
    local file="$dir/$1"
    shift
    mkdir -p "$(dirname "$file")"
    local err
    err="$(mktemp)"
    if "$@" >"$file.tmp" 2>"$err"; then
        [[ -s "$file.tmp" ]] || echo '{}' >"$file.tmp"
        mv "$file.tmp" "$file"
        rm -f "$err"
        return 0
    fi
    echo "collect.sh: skipped $name ($*): $(tr '\n' ' ' <"$err")" >&2
    rm -f "$file.tmp" "$err"
    return 1
}

# `entry PATH KEY=VALUE...`: a [[file]] entry of the manifest.
entry() {
    {
        echo
        echo "[[file]]"
        printf 'path = "%s"\n' "$1"
        shift
        local kv
        for kv in "$@"; do
            printf '%s = "%s"\n' "${kv%%=*}" "${kv#*=}"
        done
    } >>"$entries"
}

# Words of a `--output text` answer, one per line, without the CLI's `None`.
words() { tr '\t' '\n' | grep -v -e '^None$' -e '^$' || true; }

# DescribeKey on a predefined AWS alias (`alias/aws/ebs`) that has no key yet makes KMS
# create the AWS managed key: resolve such aliases through list-aliases instead, and skip
# them when they have no key.
resolve_aws_alias() {
    local k="$1"
    case "$k" in
        alias/aws/*|arn:*:alias/aws/*)
            local name="alias/${k#*alias/}"
            awsc kms list-aliases --query "Aliases[?AliasName=='$name'].TargetKeyId" \
                --output text | words | head -n 1
            ;;
        *) echo "$k" ;;
    esac
}

# Keys that buckets, snapshots and images name, in this account and Region.
followed=()
follow_key() {
    local k="$1"
    [[ $follow -eq 1 && -n "$k" && "$k" != None ]] || return 0
    case "$k" in
        arn:*:kms:"$region":"$account":key/*|alias/*) followed+=("$k") ;;
        arn:*:kms:*) echo "collect.sh: $k is in another account or Region; collect it there" >&2 ;;
        *) followed+=("$k") ;;
    esac
}

# ---- S3 -------------------------------------------------------------------------------------
for b in "${buckets[@]+"${buckets[@]}"}"; do
    d="s3/$b"
    if ! save "$d/get-bucket-location.json" awsc s3api get-bucket-location --bucket "$b"; then
        continue
    fi
    entry "$d/get-bucket-location.json" kind=bucket-location bucket="$b"
    loc="$(awsc s3api get-bucket-location --bucket "$b" --query LocationConstraint --output text)"
    case "$loc" in
        None|"") br=us-east-1 ;;
        EU) br=eu-west-1 ;;
        *) br="$loc" ;;
    esac
    if save "$d/get-bucket-encryption.json" awsr "$br" s3api get-bucket-encryption --bucket "$b"; then
        entry "$d/get-bucket-encryption.json" kind=bucket-encryption bucket="$b" region="$br"
        if [[ "$br" == "$region" ]]; then
            follow_key "$(awsr "$br" s3api get-bucket-encryption --bucket "$b" \
                --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID' \
                --output text)"
        fi
    fi
    if save "$d/get-bucket-versioning.json" awsr "$br" s3api get-bucket-versioning --bucket "$b"; then
        entry "$d/get-bucket-versioning.json" kind=bucket-versioning bucket="$b" region="$br"
    fi
    if save "$d/get-bucket-replication.json" awsr "$br" s3api get-bucket-replication --bucket "$b"; then
        entry "$d/get-bucket-replication.json" kind=bucket-replication bucket="$b" region="$br"
        for k in $(awsr "$br" s3api get-bucket-replication --bucket "$b" \
            --query 'ReplicationConfiguration.Rules[].Destination.EncryptionConfiguration.ReplicaKmsKeyID' \
            --output text | words); do
            follow_key "$k"
        done
    fi
    if save "$d/get-bucket-policy.json" awsr "$br" s3api get-bucket-policy --bucket "$b"; then
        entry "$d/get-bucket-policy.json" kind=bucket-policy bucket="$b" region="$br"
    fi
done

# ---- EC2 ------------------------------------------------------------------------------------
if [[ ${#images[@]} -gt 0 ]]; then
    if save ec2/describe-images.json awsc ec2 describe-images --image-ids "${images[@]}"; then
        for s in $(awsc ec2 describe-images --image-ids "${images[@]}" \
            --query 'Images[].BlockDeviceMappings[].Ebs.SnapshotId' --output text | words); do
            snapshots+=("$s")
        done
    fi
    for i in "${images[@]}"; do
        save "ec2/describe-image-attribute-$i.json" \
            awsc ec2 describe-image-attribute --image-id "$i" --attribute launchPermission || true
    done
fi
if [[ ${#snapshots[@]} -gt 0 ]]; then
    # Unique, in order.
    mapfile -t snapshots < <(printf '%s\n' "${snapshots[@]}" | awk '!seen[$0]++')
    if save ec2/describe-snapshots.json awsc ec2 describe-snapshots --snapshot-ids "${snapshots[@]}"; then
        for k in $(awsc ec2 describe-snapshots --snapshot-ids "${snapshots[@]}" \
            --query 'Snapshots[].KmsKeyId' --output text | words); do
            follow_key "$k"
        done
    fi
    for s in "${snapshots[@]}"; do
        save "ec2/describe-snapshot-attribute-$s.json" \
            awsc ec2 describe-snapshot-attribute --snapshot-id "$s" --attribute createVolumePermission || true
    done
fi
if save ec2/get-ebs-default-kms-key-id.json awsc ec2 get-ebs-default-kms-key-id; then
    follow_key "$(awsc ec2 get-ebs-default-kms-key-id --query KmsKeyId --output text)"
fi

# ---- DynamoDB and Aurora global data --------------------------------------------------------
for t in "${tables[@]+"${tables[@]}"}"; do
    save "dynamodb/describe-table-$t.json" awsc dynamodb describe-table --table-name "$t" || true
done
for g in "${global_clusters[@]+"${global_clusters[@]}"}"; do
    save "rds/describe-global-clusters-$g.json" \
        awsc rds describe-global-clusters --global-cluster-identifier "$g" || true
done

# ---- KMS ------------------------------------------------------------------------------------
if [[ $all_keys -eq 1 ]]; then
    for k in $(awsc kms list-keys --query 'Keys[].KeyId' --output text | words); do
        keys+=("$k")
    done
fi
keys+=("${followed[@]+"${followed[@]}"}")
save kms/list-aliases.json awsc kms list-aliases || true
seen=" "
for k in "${keys[@]+"${keys[@]}"}"; do
    k="$(resolve_aws_alias "$k")"
    if [[ -z "$k" ]]; then
        continue
    fi
    # Resolve aliases and ids to the key ARN once.
    if ! arn="$(awsc kms describe-key --key-id "$k" --query KeyMetadata.Arn --output text 2>/dev/null)"; then
        echo "collect.sh: skipped key $k: describe-key failed" >&2
        continue
    fi
    [[ "$seen" == *" $arn "* ]] && continue
    seen+="$arn "
    id="${arn##*/}"
    save "kms/describe-key-$id.json" awsc kms describe-key --key-id "$arn" || continue
    if save "kms/get-key-policy-$id.json" awsc kms get-key-policy --key-id "$arn" --policy-name default; then
        entry "kms/get-key-policy-$id.json" kind=key-policy key="$arn"
    fi
    # Older CLI versions print no KeyId here: the manifest names the key.
    if save "kms/get-key-rotation-status-$id.json" awsc kms get-key-rotation-status --key-id "$arn"; then
        entry "kms/get-key-rotation-status-$id.json" kind=key-rotation-status key="$arn"
    fi
    if save "kms/list-grants-$id.json" awsc kms list-grants --key-id "$arn"; then
        entry "kms/list-grants-$id.json" kind=list-grants key="$arn"
    fi
done

# ---- IAM ------------------------------------------------------------------------------------
if [[ $iam -eq 1 ]]; then
    save iam/get-account-authorization-details.json \
        awsc iam get-account-authorization-details || true
fi

# ---- Organizations --------------------------------------------------------------------------
for p in "${org_policies[@]+"${org_policies[@]}"}"; do
    save "organizations/describe-policy-$p.json" awsc organizations describe-policy --policy-id "$p" || continue
    if save "organizations/list-targets-for-policy-$p.json" \
        awsc organizations list-targets-for-policy --policy-id "$p"; then
        entry "organizations/list-targets-for-policy-$p.json" kind=policy-targets policy="$p"
    fi
done
org_section=""
if [[ ${#org_accounts[@]} -gt 0 ]]; then
    management="$(awsc organizations describe-organization \
        --query Organization.MasterAccountId --output text 2>/dev/null || true)"
    for a in "${org_accounts[@]}"; do
        path=()
        child="$a"
        # Walk up to the root (at most five OU levels exist, plus the root).
        for _ in 1 2 3 4 5 6 7; do
            if ! parent="$(awsc organizations list-parents --child-id "$child" \
                --query 'Parents[0].[Id,Type]' --output text 2>/dev/null)"; then
                echo "collect.sh: skipped the organization path of $a: list-parents failed" >&2
                path=()
                break
            fi
            pid="${parent%%[[:space:]]*}"
            path=("$pid" "${path[@]+"${path[@]}"}")
            [[ "$parent" == *ROOT* ]] && break
            child="$pid"
        done
        [[ ${#path[@]} -gt 0 ]] || continue
        list="$(printf '"%s", ' "${path[@]}")"
        org_section+=$'\n[[organization.account]]\n'
        org_section+="id = \"$a\""$'\n'
        org_section+="path = [${list%, }]"$'\n'
        if [[ "$a" == "$management" ]]; then
            org_section+=$'management = true\n'
        fi
    done
fi

# ---- Manifest -------------------------------------------------------------------------------
{
    echo "# Written by scripts/collect.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    printf 'account = "%s"\n' "$account"
    printf 'region = "%s"\n' "$region"
    printf 'state = "%s"\n' "$state"
    cat "$entries"
    printf '%s' "$org_section"
} >"$manifest"

echo "collect.sh: wrote $(find "$dir" -name '*.json' | wc -l) files and $manifest" >&2
