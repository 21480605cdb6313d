# CloudWatch log groups created ahead of the functions, with retention and the stage key.

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.log_groups

  name              = each.value
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_arn
}
