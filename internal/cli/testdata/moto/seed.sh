#!/usr/bin/env bash
# Seeds moto_server (at $1) with an account holding known KMS
# misconfigurations, through the AWS CLI: the end-to-end test then collects
# it, exports it with scripts/export-aws-cli.sh, and scans both.
set -euo pipefail
ep="$1"
aws() { command aws --endpoint-url "$ep" --region us-east-1 --output json "$@"; }
acct=$(aws sts get-caller-identity --query Account --output text)

# A role with an inline policy allowing kms:Decrypt on every key (KMS.2)
# and a customer managed policy allowing kms:* on every key (KMS.1, full
# access).
aws iam create-role --role-name app --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws iam put-role-policy --role-name app --policy-name decrypt-everything --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Sid":"DecryptAll","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}'
pol=$(aws iam create-policy --policy-name kms-admin-all --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}' --query Policy.Arn --output text)
aws iam attach-role-policy --role-name app --policy-arn "$pol"

# A key with the default policy and rotation off (KMS.4).
k1=$(aws kms create-key --description "rotation off" --query KeyMetadata.KeyId --output text)
aws kms create-alias --alias-name alias/rotation-off --target-key-id "$k1"

# A public key: Principal "*" without conditions (KMS.5).
k2=$(aws kms create-key --description "public" --query KeyMetadata.KeyId --output text)
aws kms enable-key-rotation --key-id "$k2"
aws kms put-key-policy --key-id "$k2" --policy-name default --policy \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$acct:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},{\"Sid\":\"Everyone\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"

# A key scheduled for deletion (KMS.3).
k3=$(aws kms create-key --description "going away" --query KeyMetadata.KeyId --output text)
aws kms schedule-key-deletion --key-id "$k3" --pending-window-in-days 7 >/dev/null

# A grant of Decrypt to another account's role, without an encryption
# context constraint (grant-broad, key-cross-account).
k4=$(aws kms create-key --description "granted" --query KeyMetadata.KeyId --output text)
aws kms enable-key-rotation --key-id "$k4"
aws kms create-grant --key-id "$k4" --grantee-principal arn:aws:iam::444455556666:role/partner --operations Decrypt >/dev/null

# A bucket encrypted by default with the first key.
aws s3api create-bucket --bucket seeded-bucket >/dev/null
aws s3api put-bucket-encryption --bucket seeded-bucket --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$k1\"},\"BucketKeyEnabled\":true}]}"
echo "$acct"
