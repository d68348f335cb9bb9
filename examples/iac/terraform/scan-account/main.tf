# examples/scan-account as Terraform manages it: this configuration, planned
# over the state of that account (plan.json, `terraform show -json`), gives
# the account the export describes. The plan destroys the old-batch key
# (scheduled for deletion, as the export shows it) and changes the policy of
# the legacy-team key to one known only after apply (as the export could not
# read it). The AWS managed key aws/s3 is AWS's, not Terraform's.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

provider "aws" {
  region = "ap-northeast-1"
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy" "backup" {
  arn = "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup"
}

resource "aws_iam_user" "alice" {
  name = "alice"
  path = "/"
}

resource "aws_iam_user" "ci_deployer" {
  name = "ci-deployer"
  path = "/ci/"
}

resource "aws_iam_user_policy" "deploy_artifacts" {
  name   = "deploy-artifacts"
  user   = aws_iam_user.ci_deployer.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "PutArtifacts",
          "Effect": "Allow",
          "Action": "s3:PutObject",
          "Resource": "arn:aws:s3:::app-data-111122223333/artifacts/*"
        },
        {
          "Sid": "EncryptArtifacts",
          "Effect": "Allow",
          "Action": [
            "kms:GenerateDataKey",
            "kms:Decrypt"
          ],
          "Resource": "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        }
      ]
    }
  EOT
}

resource "aws_iam_group" "platform_admins" {
  name = "platform-admins"
}

resource "aws_iam_group_policy_attachment" "platform_admins_kmsfullaccess" {
  group      = aws_iam_group.platform_admins.name
  policy_arn = aws_iam_policy.kmsfullaccess.arn
}

resource "aws_iam_group_membership" "platform_admins" {
  name  = "platform-admins"
  group = aws_iam_group.platform_admins.name
  users = [aws_iam_user.alice.name]
}

resource "aws_iam_policy" "kmsfullaccess" {
  name   = "KMSFullAccess"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "KMSEverything",
          "Effect": "Allow",
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_policy" "app_data_read" {
  name   = "app-data-read"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadAppData",
          "Effect": "Allow",
          "Action": [
            "kms:Decrypt",
            "kms:DescribeKey"
          ],
          "Resource": "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        }
      ]
    }
  EOT
}

resource "aws_iam_policy" "app_decrypt_all" {
  name   = "app-decrypt-all"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "DecryptEverything",
          "Effect": "Allow",
          "Action": "kms:Decrypt",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_policy" "keywarden_read" {
  name   = "keywarden-read"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadKMS",
          "Effect": "Allow",
          "Action": [
            "kms:Describe*",
            "kms:Get*",
            "kms:List*"
          ],
          "Resource": "*"
        },
        {
          "Sid": "ReadIAMAndOrg",
          "Effect": "Allow",
          "Action": [
            "iam:GetAccountAuthorizationDetails",
            "organizations:Describe*",
            "organizations:List*",
            "s3:GetBucketLocation",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:ListAllMyBuckets",
            "sts:GetCallerIdentity"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_policy" "log_shipper_kms" {
  name   = "log-shipper-kms"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "EncryptAnyLogKey",
          "Effect": "Allow",
          "Action": [
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:Decrypt"
          ],
          "Resource": "*"
        },
        {
          "Sid": "DecryptOnlyBillingExports",
          "Effect": "Deny",
          "Action": [
            "kms:Decrypt",
            "kms:ReEncryptFrom"
          ],
          "NotResource": "arn:aws:kms:ap-northeast-1:111122223333:key/2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091"
        }
      ]
    }
  EOT
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": "ec2.amazonaws.com"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role" "app_backend" {
  name               = "app-backend"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": "ecs-tasks.amazonaws.com"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "app_backend_app_decrypt_all" {
  role       = aws_iam_role.app_backend.name
  policy_arn = aws_iam_policy.app_decrypt_all.arn
}

resource "aws_iam_role_policy_attachment" "app_backend_app_data_read" {
  role       = aws_iam_role.app_backend.name
  policy_arn = aws_iam_policy.app_data_read.arn
}

resource "aws_iam_role" "backup_role" {
  name               = "backup-role"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": "backup.amazonaws.com"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "backup_role_awsbackupservicerolepolicyfors3backup" {
  role       = aws_iam_role.backup_role.name
  policy_arn = data.aws_iam_policy.backup.arn
}

resource "aws_iam_role" "kmsadminrole" {
  name               = "KMSAdminRole"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role" "keywarden_reader" {
  name               = "keywarden-reader"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "keywarden_reader_keywarden_read" {
  role       = aws_iam_role.keywarden_reader.name
  policy_arn = aws_iam_policy.keywarden_read.arn
}

resource "aws_iam_role" "log_shipper" {
  name               = "log-shipper"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": "ec2.amazonaws.com"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "log_shipper_log_shipper_kms" {
  role       = aws_iam_role.log_shipper.name
  policy_arn = aws_iam_policy.log_shipper_kms.arn
}

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role" "reporting" {
  name               = "reporting"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": "lambda.amazonaws.com"
          },
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy" "decrypt_reports" {
  name   = "decrypt-reports"
  role   = aws_iam_role.reporting.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "DecryptReports",
          "Effect": "Allow",
          "Action": [
            "kms:Decrypt",
            "kms:DescribeKey"
          ],
          "Resource": "arn:aws:kms:ap-northeast-1:111122223333:key/*"
        }
      ]
    }
  EOT
}

resource "aws_kms_key" "app_data" {
  description         = "app data (S3 bucket app-data-111122223333)"
  enable_key_rotation = false
  policy              = <<-EOT
    {
      "Version": "2012-10-17",
      "Id": "key-default-1",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "app_data" {
  name          = "alias/app-data"
  target_key_id = aws_kms_key.app_data.key_id
}

resource "aws_kms_key" "billing_exports" {
  description         = "billing exports"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Version": "2012-10-17",
      "Id": "key-default-1",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "billing_exports" {
  name          = "alias/billing-exports"
  target_key_id = aws_kms_key.billing_exports.key_id
}

resource "aws_kms_grant" "billing_export_writer" {
  name               = "billing-export-writer"
  key_id             = aws_kms_key.billing_exports.key_id
  grantee_principal  = aws_iam_role.app_backend.arn
  retiring_principal = "arn:aws:iam::111122223333:role/app-backend"
  operations         = ["Encrypt", "Decrypt", "GenerateDataKey"]
  constraints {
    encryption_context_equals = {
      export = "billing"
    }
  }
}

# The old batch key is destroyed (KMS schedules its deletion); its alias
# stays until the key is gone.
resource "aws_kms_alias" "old_batch" {
  name          = "alias/old-batch"
  target_key_id = "3c4d5e6f-7081-4293-8b4c-5d6e7f809102"
}

resource "aws_kms_key" "code_signing" {
  description              = "release signing"
  enable_key_rotation      = false
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
  policy                   = <<-EOT
    {
      "Version": "2012-10-17",
      "Id": "key-default-1",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "code_signing" {
  name          = "alias/code-signing"
  target_key_id = aws_kms_key.code_signing.key_id
}

resource "aws_kms_key" "public_share" {
  description         = "shared downloads"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "AllowDecryptForDownloads",
          "Effect": "Allow",
          "Principal": "*",
          "Action": [
            "kms:Decrypt",
            "kms:DescribeKey"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "public_share" {
  name          = "alias/public-share"
  target_key_id = aws_kms_key.public_share.key_id
}

resource "aws_kms_key" "ebs_volumes" {
  description         = "EBS volumes of the account"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS",
          "Effect": "Allow",
          "Principal": {
            "AWS": "*"
          },
          "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:CreateGrant",
            "kms:DescribeKey"
          ],
          "Resource": "*",
          "Condition": {
            "StringEquals": {
              "kms:CallerAccount": "111122223333",
              "kms:ViaService": "ec2.ap-northeast-1.amazonaws.com"
            }
          }
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "ebs_volumes" {
  name          = "alias/ebs-volumes"
  target_key_id = aws_kms_key.ebs_volumes.key_id
}

resource "aws_kms_key" "orphaned" {
  description         = "created by a deleted pipeline role"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Allow access for Key Administrators",
          "Effect": "Allow",
          "Principal": {
            "AWS": "AROAZX3Q5FORMERADMIN9"
          },
          "Action": [
            "kms:Create*",
            "kms:Describe*",
            "kms:Enable*",
            "kms:List*",
            "kms:Put*",
            "kms:Update*",
            "kms:Revoke*",
            "kms:Disable*",
            "kms:Get*",
            "kms:Delete*",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
            "kms:RotateKeyOnDemand"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "orphaned" {
  name          = "alias/orphaned"
  target_key_id = aws_kms_key.orphaned.key_id
}

resource "aws_kms_key" "team_direct" {
  description         = "team key managed by KMSAdminRole only"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Allow access for Key Administrators",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:role/KMSAdminRole"
          },
          "Action": [
            "kms:Create*",
            "kms:Describe*",
            "kms:Enable*",
            "kms:List*",
            "kms:Put*",
            "kms:Update*",
            "kms:Revoke*",
            "kms:Disable*",
            "kms:Get*",
            "kms:Delete*",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
            "kms:RotateKeyOnDemand"
          ],
          "Resource": "*"
        },
        {
          "Sid": "Allow use of the key",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:role/app"
          },
          "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "team_direct" {
  name          = "alias/team-direct"
  target_key_id = aws_kms_key.team_direct.key_id
}

resource "aws_kms_key" "blog_setting3" {
  description         = "blog setting 3"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "Allow use of the key",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:role/app"
          },
          "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "blog_setting3" {
  name          = "alias/blog-setting3"
  target_key_id = aws_kms_key.blog_setting3.key_id
}

resource "aws_kms_key" "shared_with_partner" {
  description         = "shared with the partner account"
  enable_key_rotation = true
  tags = {
    shared-with = "444455556666"
  }
  policy = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "Allow use of the key",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::444455556666:root"
          },
          "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey"
          ],
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "shared_with_partner" {
  name          = "alias/shared-with-partner"
  target_key_id = aws_kms_key.shared_with_partner.key_id
}

resource "aws_kms_grant" "partner_reader" {
  name              = "partner-reader"
  key_id            = aws_kms_key.shared_with_partner.key_id
  grantee_principal = "arn:aws:iam::444455556666:role/partner-reader"
  operations        = ["Decrypt", "DescribeKey"]
}

resource "aws_kms_key" "batch_results" {
  description         = "nightly batch results"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Version": "2012-10-17",
      "Id": "key-default-1",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "batch_results" {
  name          = "alias/batch-results"
  target_key_id = aws_kms_key.batch_results.key_id
}

resource "aws_kms_grant" "reporting_batch" {
  name               = "reporting-batch"
  key_id             = aws_kms_key.batch_results.key_id
  grantee_principal  = aws_iam_role.reporting.arn
  retiring_principal = "arn:aws:iam::111122223333:role/reporting"
  operations         = ["Decrypt", "GenerateDataKey"]
}

resource "aws_kms_key" "console_key" {
  description         = "created in the console"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "Allow access for Key Administrators",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:role/KMSAdminRole"
          },
          "Action": [
            "kms:Create*",
            "kms:Describe*",
            "kms:Enable*",
            "kms:List*",
            "kms:Put*",
            "kms:Update*",
            "kms:Revoke*",
            "kms:Disable*",
            "kms:Get*",
            "kms:Delete*",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
            "kms:RotateKeyOnDemand"
          ],
          "Resource": "*"
        },
        {
          "Sid": "Allow use of the key",
          "Effect": "Allow",
          "Principal": {
            "AWS": [
              "arn:aws:iam::111122223333:role/KMSAdminRole",
              "arn:aws:iam::111122223333:role/app-backend"
            ]
          },
          "Action": [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:DescribeKey"
          ],
          "Resource": "*"
        },
        {
          "Sid": "Allow attachment of persistent resources",
          "Effect": "Allow",
          "Principal": {
            "AWS": [
              "arn:aws:iam::111122223333:role/KMSAdminRole",
              "arn:aws:iam::111122223333:role/app-backend"
            ]
          },
          "Action": [
            "kms:CreateGrant",
            "kms:ListGrants",
            "kms:RevokeGrant"
          ],
          "Resource": "*",
          "Condition": {
            "Bool": {
              "kms:GrantIsForAWSResource": "true"
            }
          }
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "console_key" {
  name          = "alias/console-key"
  target_key_id = aws_kms_key.console_key.key_id
}

resource "aws_kms_key" "ops_tools" {
  description         = "ops tooling"
  enable_key_rotation = true
  policy              = <<-EOT
    {
      "Id": "key-consolepolicy-3",
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Enable IAM User Permissions",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "kms:*",
          "Resource": "*"
        },
        {
          "Sid": "OpsFullAccess",
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:role/ops"
          },
          "Action": "kms:*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_kms_alias" "ops_tools" {
  name          = "alias/ops-tools"
  target_key_id = aws_kms_key.ops_tools.key_id
}

resource "random_id" "legacy" {
  byte_length = 4
}

resource "aws_kms_key" "legacy_team" {
  description         = "legacy team key"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Id      = "legacy-${random_id.legacy.hex}"
    Statement = [{
      Sid       = "Enable IAM User Permissions"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_kms_alias" "legacy_team" {
  name          = "alias/legacy-team"
  target_key_id = aws_kms_key.legacy_team.key_id
}

resource "aws_s3_bucket" "app_data" {
  bucket = "app-data-111122223333"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "app_data" {
  bucket = aws_s3_bucket.app_data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.app_data.arn
    }
    bucket_key_enabled = true
  }
}
