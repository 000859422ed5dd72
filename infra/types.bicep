// Shapes of the per-environment parameters (main.parameters.json), shared by main.bicep and the modules.

@export()
@description('Resource tags.')
type resourceTags = {
  *: string
}

@export()
@description('One database (and its schemas) the Function App backs up; becomes Backup__Targets__<index>__*.')
type backupTarget = {
  @description('Backup name: the S3 object names are <prefix>/<name>.gz, .anon.gz, .dump (the seed: infinite-prod).')
  name: string

  @description('Server host name; empty uses the PostgreSQL server of this deployment.')
  host: string?

  port: int?

  @description('Database name on the server.')
  database: string

  @description('Comma-separated schemas to dump (the seed keeps one schema per environment).')
  schemas: string

  @description('Login role; for EntraId it defaults to the name of the Function App\'s identity.')
  username: string?

  @description('Password reads the secret pg-password-<name> from Key Vault; EntraId uses the app\'s identity.')
  auth: ('Password' | 'EntraId')

  sslMode: ('Require' | 'VerifyFull')?
}

@export()
@description('Where the artifacts go (Backup__S3__*). The defaults describe the seed\'s bucket on AWS.')
type s3Target = {
  bucket: string
  @description('Key prefix without slashes; the lifecycle rule and IAM policies are scoped to it.')
  prefix: string
  region: string
  @description('Empty on AWS; an S3-compatible endpoint (MinIO, s3rver) otherwise.')
  serviceUrl: string?
  forcePathStyle: bool?
  serverSideEncryption: ('AES256' | 'aws:kms')?
  @description('KMS key id or ARN when serverSideEncryption is aws:kms.')
  kmsKeyId: string?
  storageClass: string?
  @description('AWS SDK RequestChecksumCalculation: WhenSupported on AWS, WhenRequired for stores without CRC support.')
  checksumMode: ('WhenSupported' | 'WhenRequired')?
  @description('Re-read each object\'s size and checksum after upload.')
  verifyUpload: bool?
}

@export()
@description('Entra ID principal made the PostgreSQL server\'s Entra administrator (a DBA group, not the app).')
type entraAdministrator = {
  objectId: string
  principalName: string
  principalType: ('Group' | 'User' | 'ServicePrincipal')
}
