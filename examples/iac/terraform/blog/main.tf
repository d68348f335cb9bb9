# The S3 + SSE-KMS experiment of examples/account (key, role, bucket,
# policies); var.setting picks one of its three settings. plan-settingN.json
# is `terraform show -json` of `terraform plan -var setting=N` in an empty
# account 123456789012.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "ap-northeast-1"
}

variable "setting" {
  description = "1: IAM allows KMS; 2: nothing allows KMS; 3: the key policy names the role"
  type        = number
  default     = 1
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "blog" {
  description         = "sample-dev blog bucket key"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "key-consolepolicy-3"
    Statement = concat([{
      Sid       = "Enable IAM User Permissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
      }], var.setting == 3 ? [{
      Sid       = "Allow use of the key"
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
      Resource  = "*"
    }] : [])
  })
  tags = {
    Env = "dev"
  }
}

resource "aws_kms_alias" "blog" {
  name          = "alias/sample-dev-blog-key"
  target_key_id = aws_kms_key.blog.key_id
}

resource "aws_iam_role" "app" {
  name = "dev-sample-ec2-role1"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    Env = "dev"
  }
}

resource "aws_iam_instance_profile" "app" {
  name = "dev-sample-ec2-role1"
  role = aws_iam_role.app.name
}

data "aws_iam_policy_document" "s3" {
  statement {
    sid       = "ListBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.blog.arn]
  }
  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.blog.arn}/*"]
  }
}

data "aws_iam_policy_document" "s3_kms" {
  source_policy_documents = [data.aws_iam_policy_document.s3.json]
  statement {
    sid       = "UseBlogKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.blog.arn]
  }
}

resource "aws_iam_policy" "app" {
  name   = var.setting == 1 ? "dev-sample-s3-kms-policy" : "dev-sample-s3-policy"
  policy = var.setting == 1 ? data.aws_iam_policy_document.s3_kms.json : data.aws_iam_policy_document.s3.json
}

resource "aws_iam_role_policy_attachment" "app" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.app.arn
}

resource "aws_s3_bucket" "blog" {
  bucket = "sample-dev-blog-bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "blog" {
  bucket = aws_s3_bucket.blog.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.blog.arn
    }
    bucket_key_enabled = true
  }
}
