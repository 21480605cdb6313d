# DynamoDB table with PITR, TTL and an optional stream, encrypted with the stage key.

resource "aws_dynamodb_table" "this" {
  name         = var.table_name
  billing_mode = var.billing_mode
  hash_key     = var.hash_key
  range_key    = var.range_key

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  ttl {
    attribute_name = var.ttl_attribute == null ? "" : var.ttl_attribute
    enabled        = var.ttl_attribute != null
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  stream_enabled   = var.stream_view_type != null
  stream_view_type = var.stream_view_type
}
