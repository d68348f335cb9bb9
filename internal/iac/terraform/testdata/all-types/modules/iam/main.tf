variable "prefix" {
  type = string
}

resource "aws_iam_role" "app" {
  name = var.prefix
  path = "/apps/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name   = "inline"
    policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]}"
  }
  managed_policy_arns = ["arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"]
}

output "role_arn" {
  value = aws_iam_role.app.arn
}

output "role_name" {
  value = aws_iam_role.app.name
}
