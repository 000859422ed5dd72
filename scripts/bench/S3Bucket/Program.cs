// Usage: S3Bucket ENDPOINT BUCKET — creates BUCKET with versioning on at ENDPOINT (keys from AWS_* variables).
using Amazon.S3;
using Amazon.S3.Model;

var client = new AmazonS3Client(new AmazonS3Config
{
    ServiceURL = args[0],
    ForcePathStyle = true,
    AuthenticationRegion = "us-east-1",
    RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
    ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
});
try
{
    await client.PutBucketAsync(new PutBucketRequest { BucketName = args[1] });
}
catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
{
    // Reused between benchmark runs.
}

await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
{
    BucketName = args[1],
    VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
});
