#!/usr/bin/env bash
# export-aws-cli.sh writes what keywarden needs to evaluate AWS KMS access in
# the account behind the current credentials, as the unchanged JSON output
# of read-only AWS CLI calls (get, list, describe only), in the layout of
# docs/awscli-export.md:
#
#   export-aws-cli.sh --output DIR [--regions r1,r2,...] [--profile NAME]
#
# Without --regions, every region enabled in the account is read
# (aws ec2 describe-regions). A call that fails leaves its stderr in place
# of its output, as NAME.error beside where NAME.json would be; keywarden
# marks what that file should have held as incomplete, with that reason,
# and reads the rest. The AWS CLI itself honours AWS_ENDPOINT_URL (and
# AWS_ENDPOINT_URL_<SERVICE>), AWS_REGION and the usual credential
# variables; --profile is passed to every call.
#
# Needs bash 4+ and the AWS CLI (v1 or v2); nothing else.
set -euo pipefail

prog=${0##*/}

usage() {
	cat <<EOF
usage: $prog --output DIR [--regions REGION[,REGION...]] [--profile NAME]

Export IAM, KMS, S3 and Organizations data of the current account for
"keywarden ... --input DIR". Only read-only calls are made.

  --output DIR      directory to write (created if missing)
  --regions LIST    comma-separated regions to read KMS keys from
                    (default: every region enabled in the account)
  --profile NAME    AWS CLI profile to use
EOF
}

out=""
regions=""
profile=""
while [[ $# -gt 0 ]]; do
	case $1 in
	--output) out=${2:?--output needs a directory}; shift 2 ;;
	--output=*) out=${1#*=}; shift ;;
	--regions) regions=${2:?--regions needs a list}; shift 2 ;;
	--regions=*) regions=${1#*=}; shift ;;
	--profile) profile=${2:?--profile needs a name}; shift 2 ;;
	--profile=*) profile=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "$prog: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
if [[ -z $out ]]; then
	echo "$prog: --output DIR is required" >&2
	usage >&2
	exit 2
fi

export AWS_PAGER=""
aws_cmd=(aws --output json)
if [[ -n $profile ]]; then
	aws_cmd+=(--profile "$profile")
fi

log() { echo "$prog: $*" >&2; }

# capture FILE ARGS... runs "aws ARGS..." and writes its output to FILE. When
# the call fails, its stderr goes to FILE without ".json", plus ".error",
# and capture returns 1. Old results of the same call are removed first,
# so a re-run never mixes two exports.
capture() {
	local file=$1
	shift
	local base=${file%.json}
	mkdir -p "$(dirname "$file")"
	rm -f "$file" "$base.error"
	if "${aws_cmd[@]}" "$@" >"$file.tmp" 2>"$base.error.tmp"; then
		mv "$file.tmp" "$file"
		rm -f "$base.error.tmp"
		return 0
	fi
	mv "$base.error.tmp" "$base.error"
	rm -f "$file.tmp"
	log "failed: aws $* (see $base.error)"
	return 1
}

# values KEY FILE prints the string values of every "KEY": "..." member of a
# JSON file, one per line. It is used only for AWS identifiers (key IDs,
# bucket names, account IDs) which never contain quotes or backslashes.
values() {
	sed -n 's/^ *"'"$1"'": "\([^"\\]*\)",\{0,1\}$/\1/p' "$2"
}

if [[ -d $out && -n $(ls -A "$out") ]]; then
	log "warning: $out is not empty; keys or buckets deleted since an earlier export would remain in it"
fi
mkdir -p "$out"

# The region for global services (IAM, STS, Organizations, S3 listing):
# the one configured, else the first region asked for, else us-east-1.
home=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
if [[ -z $home ]]; then
	home=$("${aws_cmd[@]}" configure get region 2>/dev/null || true)
fi
if [[ -z $home && -n $regions ]]; then
	home=${regions%%,*}
fi
home=${home:-us-east-1}

log "caller identity"
capture "$out/sts-get-caller-identity.json" sts get-caller-identity --region "$home" || true
account=""
if [[ -f $out/sts-get-caller-identity.json ]]; then
	account=$(values Account "$out/sts-get-caller-identity.json" | head -n 1)
fi

log "IAM authorization details"
capture "$out/account-authorization-details.json" iam get-account-authorization-details --region "$home" || true

# Organizations: the organization, then for each policy type the chain of
# levels from the root down to this account, each level with the
# describe-policy output of every policy attached to it directly. Only the
# management account (or a delegated administrator) may list parents and
# policies; elsewhere the .error file says so.
org_chain() {
	local filter=$1 child=$account parent type chain ids id name first p
	local -a levels=("$account ACCOUNT")
	while :; do
		read -r parent type < <("${aws_cmd[@]}" organizations list-parents --region "$home" \
			--child-id "$child" --query 'Parents[0].[Id,Type]' --output text) || return 1
		[[ -n $parent && $parent != None ]] || { echo "no parent found for $child" >&2; return 1; }
		levels=("$parent $type" "${levels[@]}")
		[[ $type == ROOT ]] && break
		child=$parent
	done
	printf '{\n    "AccountId": "%s",\n    "PolicyType": "%s",\n    "Levels": [' "$account" "$filter"
	chain=""
	for level in "${levels[@]}"; do
		read -r id type <<<"$level"
		case $type in
		ROOT) name=$("${aws_cmd[@]}" organizations list-roots --region "$home" \
			--query "Roots[?Id=='$id'] | [0].Name") || return 1 ;;
		ORGANIZATIONAL_UNIT) name=$("${aws_cmd[@]}" organizations describe-organizational-unit --region "$home" \
			--organizational-unit-id "$id" --query 'OrganizationalUnit.Name') || return 1 ;;
		ACCOUNT) name=$("${aws_cmd[@]}" organizations describe-account --region "$home" \
			--account-id "$id" --query 'Account.Name') || return 1 ;;
		esac
		ids=$("${aws_cmd[@]}" organizations list-policies-for-target --region "$home" \
			--target-id "$id" --filter "$filter" --query 'Policies[].Id' --output text) || return 1
		printf '%s\n        {\n            "TargetId": "%s",\n            "TargetName": %s,\n            "TargetType": "%s",\n            "Policies": [' \
			"$chain" "$id" "$name" "$type"
		chain=","
		first=1
		for p in $ids; do
			[[ $first == 1 ]] || printf ','
			first=0
			printf '\n'
			"${aws_cmd[@]}" organizations describe-policy --region "$home" --policy-id "$p" |
				sed 's/^/                /' || return 1
		done
		printf ']\n        }'
	done
	printf '\n    ]\n}\n'
}

# chain_file FILE FILTER writes one chain, or FILE's .error on failure.
chain_file() {
	local file=$1 base=${1%.json}
	rm -f "$file" "$base.error"
	if org_chain "$2" >"$file.tmp" 2>"$base.error.tmp"; then
		mv "$file.tmp" "$file"
		rm -f "$base.error.tmp"
	else
		mv "$base.error.tmp" "$base.error"
		rm -f "$file.tmp"
		log "failed: the $2 chain (see $base.error)"
	fi
}

log "organization"
if capture "$out/organizations/describe-organization.json" organizations describe-organization --region "$home"; then
	if [[ -n $account ]]; then
		chain_file "$out/organizations/scps.json" SERVICE_CONTROL_POLICY
		chain_file "$out/organizations/rcps.json" RESOURCE_CONTROL_POLICY
	else
		echo "the account ID is unknown (sts get-caller-identity failed)" >"$out/organizations/scps.error"
		echo "the account ID is unknown (sts get-caller-identity failed)" >"$out/organizations/rcps.error"
	fi
fi

if [[ -z $regions ]]; then
	log "regions"
	regions=$("${aws_cmd[@]}" ec2 describe-regions --region "$home" --query 'Regions[].RegionName' --output text) || {
		log "cannot list the regions; give them with --regions"
		exit 1
	}
fi
regions=${regions//,/ }

for region in $regions; do
	log "KMS keys in $region"
	dir=$out/kms/$region
	mkdir -p "$dir"
	capture "$dir/list-aliases.json" kms list-aliases --region "$region" || true
	capture "$dir/list-keys.json" kms list-keys --region "$region" || continue
	for key in $(values KeyId "$dir/list-keys.json"); do
		kd=$dir/$key
		capture "$kd/describe-key.json" kms describe-key --region "$region" --key-id "$key" || true
		capture "$kd/get-key-policy.json" kms get-key-policy --region "$region" --key-id "$key" --policy-name default || true
		capture "$kd/list-grants.json" kms list-grants --region "$region" --key-id "$key" || true
		capture "$kd/get-key-rotation-status.json" kms get-key-rotation-status --region "$region" --key-id "$key" || true
		capture "$kd/list-resource-tags.json" kms list-resource-tags --region "$region" --key-id "$key" || true
	done
done

log "S3 buckets"
if capture "$out/s3/list-buckets.json" s3api list-buckets --region "$home"; then
	for bucket in $(values Name "$out/s3/list-buckets.json"); do
		bd=$out/s3/$bucket
		# Ask the bucket's own region: S3 redirects, and some calls
		# fail, when asked elsewhere.
		where=$home
		if capture "$bd/get-bucket-location.json" s3api get-bucket-location --region "$home" --bucket "$bucket"; then
			where=$(values LocationConstraint "$bd/get-bucket-location.json")
			case $where in
			"") where=us-east-1 ;;
			EU) where=eu-west-1 ;;
			esac
		fi
		capture "$bd/get-bucket-encryption.json" s3api get-bucket-encryption --region "$where" --bucket "$bucket" || true
		capture "$bd/get-bucket-policy.json" s3api get-bucket-policy --region "$where" --bucket "$bucket" || true
	done
fi

log "done: $out"
