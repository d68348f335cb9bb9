# Every resource type the Terraform input reads; plan.json is this
# configuration planned over a state holding some of them (TestResourceTypes,
# TestSourceLocations, TestUnknownValues).

provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

data "aws_caller_identity" "current" {}

module "iam" {
  source = "./modules/iam"
  prefix = "app"
}

resource "aws_kms_key" "main" {
  description             = "main key"
  enable_key_rotation     = true
  rotation_period_in_days = 180
  multi_region            = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
  tags = {
    team = "data"
  }
}

resource "aws_kms_key" "nopolicy" {
  description = "no policy given"
}

resource "aws_kms_key" "rotated" {
  description              = "replaced: the key spec changed"
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}

resource "aws_kms_key_policy" "main" {
  key_id = aws_kms_key.main.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Root"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "App"
        Effect    = "Allow"
        Principal = { AWS = module.iam.role_arn }
        Action    = ["kms:Decrypt", "kms:Encrypt"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_kms_alias" "main" {
  name          = "alias/main"
  target_key_id = aws_kms_key.main.key_id
}

resource "aws_kms_grant" "app" {
  name              = "app"
  key_id            = aws_kms_key.main.key_id
  grantee_principal = module.iam.role_arn
  operations        = ["Decrypt", "Encrypt"]
  constraints {
    encryption_context_subset = {
      Department = "IT"
    }
  }
}

resource "aws_kms_replica_key" "west" {
  provider        = aws.west
  primary_key_arn = aws_kms_key.main.arn
}

resource "aws_iam_role" "prefixed" {
  name_prefix        = "worker-"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "app" {
  name = "kms-use"
  role = module.iam.role_name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.main.arn }]
  })
}

data "aws_iam_policy_document" "decrypt" {
  statement {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn, aws_kms_replica_key.west.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:app"
      values   = ["&{aws:username}"]
    }
  }
}

resource "aws_iam_policy" "decrypt" {
  name   = "decrypt"
  policy = data.aws_iam_policy_document.decrypt.json
}

resource "aws_iam_policy" "static" {
  name   = "static"
  path   = "/team/"
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:ListAliases\",\"Resource\":\"*\"}]}"
}

resource "aws_iam_role_policy_attachment" "app" {
  role       = module.iam.role_name
  policy_arn = aws_iam_policy.decrypt.arn
}

data "aws_iam_policy" "readonly" {
  arn = "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"
}

resource "aws_iam_user" "alice" {
  name = "alice"
  path = "/people/"
}

resource "aws_iam_user_policy" "alice" {
  name   = "alice-own"
  user   = aws_iam_user.alice.name
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:DescribeKey\",\"Resource\":\"*\"}]}"
}

resource "aws_iam_user_policy_attachment" "alice" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.static.arn
}

resource "aws_iam_group" "admins" {
  name = "admins"
}

resource "aws_iam_group_policy" "admins" {
  name   = "admins-kms"
  group  = aws_iam_group.admins.name
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"
}

resource "aws_iam_group_policy_attachment" "admins" {
  group      = aws_iam_group.admins.name
  policy_arn = data.aws_iam_policy.readonly.arn
}

resource "aws_iam_group_membership" "admins" {
  name  = "admins"
  group = aws_iam_group.admins.name
  users = [aws_iam_user.alice.name, "bob"]
}

resource "aws_iam_user_group_membership" "carol" {
  user   = "carol"
  groups = [aws_iam_group.admins.name]
}

resource "aws_iam_policy_attachment" "static" {
  name       = "static"
  policy_arn = aws_iam_policy.static.arn
  roles      = [module.iam.role_name]
}

resource "aws_s3_bucket" "data" {
  bucket = "data-111122223333"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.main.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::data-111122223333/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
}

resource "aws_s3_bucket" "legacy" {
  bucket = "legacy-111122223333"
}

resource "aws_organizations_policy" "deny" {
  name    = "deny-key-deletion"
  type    = "SERVICE_CONTROL_POLICY"
  content = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:ScheduleKeyDeletion\",\"Resource\":\"*\"}]}"
}

resource "aws_organizations_policy_attachment" "deny" {
  policy_id = aws_organizations_policy.deny.id
  target_id = "ou-ab12-11111111"
}

removed {
  from = aws_iam_user.former
  lifecycle {
    destroy = false
  }
}
