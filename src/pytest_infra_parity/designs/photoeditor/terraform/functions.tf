# Application-specific Lambda functions of the media pipeline (ADR-0002): they "remain SST-native" in
# the ADR's checklist; declared here too so that the Terraform stage has the same resource set.

locals {
  functions = {
    presign = {
      description = "Creates a job (or a batch of jobs) and returns presigned PUT URLs to the temp bucket."
      memory_size = 256
      timeout     = 10
      environment = {
        STAGE                  = var.stage
        TEMP_BUCKET            = module.temp_bucket.bucket_name
        JOBS_TABLE             = module.jobs_table.table_name
        BATCH_TABLE            = module.batch_table.table_name
        UPLOAD_URL_TTL_SECONDS = "900"
        JOB_TTL_DAYS           = "90"
      }
      statements = [
        { Effect = "Allow", Action = "s3:PutObject", Resource = "${module.temp_bucket.bucket_arn}/uploads/*" },
        { Effect = "Allow", Action = "dynamodb:PutItem", Resource = [module.jobs_table.table_arn, module.batch_table.table_arn] },
        { Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"], Resource = module.kms.key_arn },
      ]
    }
    status = {
      description = "Returns the status of a job or of a batch."
      memory_size = 256
      timeout     = 10
      environment = {
        STAGE       = var.stage
        JOBS_TABLE  = module.jobs_table.table_name
        BATCH_TABLE = module.batch_table.table_name
      }
      statements = [
        { Effect = "Allow", Action = "dynamodb:GetItem", Resource = [module.jobs_table.table_arn, module.batch_table.table_arn] },
        { Effect = "Allow", Action = "kms:Decrypt", Resource = module.kms.key_arn },
      ]
    }
    download = {
      description = "Returns a presigned GET URL for a completed job's processed image."
      memory_size = 256
      timeout     = 10
      environment = {
        STAGE                    = var.stage
        JOBS_TABLE               = module.jobs_table.table_name
        FINAL_BUCKET             = module.final_bucket.bucket_name
        DOWNLOAD_URL_TTL_SECONDS = "300"
      }
      statements = [
        { Effect = "Allow", Action = "dynamodb:GetItem", Resource = module.jobs_table.table_arn },
        { Effect = "Allow", Action = "s3:GetObject", Resource = "${module.final_bucket.bucket_arn}/processed/*" },
        { Effect = "Allow", Action = "kms:Decrypt", Resource = module.kms.key_arn },
      ]
    }
    worker = {
      description = "Consumes upload events from the processing queue, writes the final image, notifies."
      memory_size = 1024
      timeout     = 60
      environment = {
        STAGE                   = var.stage
        TEMP_BUCKET             = module.temp_bucket.bucket_name
        FINAL_BUCKET            = module.final_bucket.bucket_name
        JOBS_TABLE              = module.jobs_table.table_name
        BATCH_TABLE             = module.batch_table.table_name
        DEVICE_TOKENS_TABLE     = module.device_tokens_table.table_name
        NOTIFICATIONS_TOPIC_ARN = module.notifications.topic_arn
        KMS_KEY_ARN             = module.kms.key_arn
        MAX_RECEIVE_COUNT       = "3"
      }
      statements = [
        { Effect = "Allow", Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], Resource = module.processing.queue_arn },
        { Effect = "Allow", Action = "s3:GetObject", Resource = "${module.temp_bucket.bucket_arn}/uploads/*" },
        { Effect = "Allow", Action = "s3:PutObject", Resource = "${module.final_bucket.bucket_arn}/processed/*" },
        { Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource = [module.jobs_table.table_arn, module.batch_table.table_arn] },
        { Effect = "Allow", Action = "dynamodb:Query", Resource = module.device_tokens_table.table_arn },
        { Effect = "Allow", Action = "sns:Publish", Resource = module.notifications.topic_arn },
        { Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], Resource = module.kms.key_arn },
      ]
    }
  }
}

data "archive_file" "function" {
  for_each = local.functions

  type        = "zip"
  source_dir  = "${path.module}/../handlers/${each.key}"
  output_path = "${path.module}/.build/${each.key}.zip"
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name = "${local.prefix}-${each.key}-function-role"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name = each.key
  role = aws_iam_role.function[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = module.function_logs.log_group_arns[each.key] }],
      each.value.statements,
    )
  })
}

resource "aws_iam_role_policy_attachment" "xray" {
  for_each = local.functions

  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "function" {
  for_each = local.functions

  function_name    = "${local.prefix}-${each.key}"
  description      = each.value.description
  role             = aws_iam_role.function[each.key].arn
  runtime          = "python3.12"
  handler          = "app.handler"
  filename         = data.archive_file.function[each.key].output_path
  source_code_hash = data.archive_file.function[each.key].output_base64sha256
  memory_size      = each.value.memory_size
  timeout          = each.value.timeout

  tracing_config {
    mode = "Active"
  }

  environment {
    variables = each.value.environment
  }

  # The log group (retention, KMS key) must exist before Lambda creates its own.
  depends_on = [module.function_logs]
}

resource "aws_lambda_event_source_mapping" "worker" {
  event_source_arn        = module.processing.queue_arn
  function_name           = aws_lambda_function.function["worker"].arn
  batch_size              = 5
  enabled                 = true
  function_response_types = ["ReportBatchItemFailures"]
}
