using Amazon.S3;
using Amazon.S3.Model;

namespace BackupCore.Storage;

/// <summary>
/// How the store asks S3 to keep an object (<see cref="S3StoreOptions"/>): server-side encryption (<c>AES256</c>, or
/// <c>aws:kms</c> with the optional key id) and, for artifacts, the storage class. The manifest's PUT takes the
/// encryption only (<see cref="S3ManifestUpload"/>).
/// </summary>
internal static class S3ObjectPlacement
{
    public static void ApplyTo(PutObjectRequest request, S3StoreOptions options, bool storageClass = true)
    {
        if (options.UsesSse)
        {
            request.ServerSideEncryptionMethod = Encryption(options);
            if (KmsKeyId(options) is { } key)
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = key;
            }
        }

        if (storageClass && StorageClass(options) is { } storage)
        {
            request.StorageClass = storage;
        }
    }

    public static void ApplyTo(InitiateMultipartUploadRequest request, S3StoreOptions options)
    {
        if (options.UsesSse)
        {
            request.ServerSideEncryptionMethod = Encryption(options);
            if (KmsKeyId(options) is { } key)
            {
                request.ServerSideEncryptionKeyManagementServiceKeyId = key;
            }
        }

        if (StorageClass(options) is { } storage)
        {
            request.StorageClass = storage;
        }
    }

    private static ServerSideEncryptionMethod Encryption(S3StoreOptions options) => new(options.UsesKms ? "aws:kms" : "AES256");

    private static string? KmsKeyId(S3StoreOptions options) => options.UsesKms && !string.IsNullOrEmpty(options.KmsKeyId) ? options.KmsKeyId : null;

    private static S3StorageClass? StorageClass(S3StoreOptions options) =>
        string.IsNullOrWhiteSpace(options.StorageClass) ? null : new S3StorageClass(options.StorageClass.Trim());
}
