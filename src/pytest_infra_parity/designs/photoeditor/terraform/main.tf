# photoeditor: the stateful infrastructure composed from the versioned modules of ./modules (ADR 0008,
# parity checklist: KMS, S3 temp/final, DynamoDB jobs/batch/deviceTokens, SQS processing + DLQ, SNS,
# log groups, alarms). The Lambda functions and the HTTP API are in functions.tf and api.tf.

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  prefix            = "${var.project}-${var.stage}"
  partition         = data.aws_partition.current.partition
  temp_bucket_name  = "${local.prefix}-temp-${var.account_id}"
  final_bucket_name = "${local.prefix}-final-${var.account_id}"
}

module "kms" {
  source = "./modules/kms"

  name        = local.prefix
  description = "${local.prefix} customer-managed key for S3, DynamoDB, SQS, SNS and CloudWatch Logs"
  account_id  = var.account_id
  region      = data.aws_region.current.name
  partition   = local.partition
}

module "temp_bucket" {
  source = "./modules/s3"

  bucket_name = local.temp_bucket_name
  kms_key_arn = module.kms.key_arn
  versioning  = false

  lifecycle_rules = [{
    id                    = "expire-temp-uploads"
    expiration_days       = 2
    abort_incomplete_days = 1
  }]

  cors_rules = [{
    allowed_methods = ["PUT"]
    allowed_origins = ["*"]
    allowed_headers = ["*"]
    max_age_seconds = 3000
  }]

  queue_notifications = [{
    queue_arn     = module.processing.queue_arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "uploads/"
  }]

  # S3 checks the queue policy when the notification is created.
  depends_on = [module.processing]
}

module "final_bucket" {
  source = "./modules/s3"

  bucket_name = local.final_bucket_name
  kms_key_arn = module.kms.key_arn
  versioning  = true

  lifecycle_rules = [{
    id                         = "final-to-infrequent-access"
    transition_days            = 30
    transition_storage_class   = "STANDARD_IA"
    noncurrent_expiration_days = 90
    abort_incomplete_days      = 7
  }]
}

module "jobs_table" {
  source = "./modules/dynamodb"

  table_name       = "${local.prefix}-jobs"
  hash_key         = "jobId"
  attributes       = [{ name = "jobId", type = "S" }]
  stream_view_type = "NEW_AND_OLD_IMAGES"
  kms_key_arn      = module.kms.key_arn
}

module "batch_table" {
  source = "./modules/dynamodb"

  table_name  = "${local.prefix}-batch"
  hash_key    = "batchJobId"
  attributes  = [{ name = "batchJobId", type = "S" }]
  kms_key_arn = module.kms.key_arn
}

module "device_tokens_table" {
  source = "./modules/dynamodb"

  table_name = "${local.prefix}-deviceTokens"
  hash_key   = "userId"
  range_key  = "deviceId"
  attributes = [
    { name = "userId", type = "S" },
    { name = "deviceId", type = "S" },
  ]
  kms_key_arn = module.kms.key_arn
}

module "processing" {
  source = "./modules/sqs"

  name                       = "${local.prefix}-processing"
  kms_key_arn                = module.kms.key_arn
  visibility_timeout_seconds = 360
  max_receive_count          = 3
  account_id                 = var.account_id
  # The bucket's ARN is built from its name: the bucket's notification depends on this policy.
  s3_source_bucket_arns = ["arn:${local.partition}:s3:::${local.temp_bucket_name}"]
}

module "notifications" {
  source = "./modules/sns"

  name        = "${local.prefix}-notifications"
  kms_key_arn = module.kms.key_arn
}

module "alarms_topic" {
  source = "./modules/sns"

  name        = "${local.prefix}-alarms"
  kms_key_arn = module.kms.key_arn
}

module "function_logs" {
  source = "./modules/logs"

  log_groups        = { for name in keys(local.functions) : name => "/aws/lambda/${local.prefix}-${name}" }
  retention_in_days = var.log_retention_days
  kms_key_arn       = module.kms.key_arn
}

module "alarms" {
  source = "./modules/alarms"

  prefix          = local.prefix
  function_names  = { for name in keys(local.functions) : name => aws_lambda_function.function[name].function_name }
  api_id          = aws_apigatewayv2_api.http.id
  dlq_name        = module.processing.dlq_name
  alarm_topic_arn = module.alarms_topic.topic_arn
}
