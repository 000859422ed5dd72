using BackupCore.Storage;

namespace BackupCore.Tests.Storage;

public sealed class S3StoreOptionsTests
{
    private static S3StoreOptions Valid() => new()
    {
        Bucket = "backups",
        ServiceUrl = "http://127.0.0.1:7480",
        AccessKeyId = "AKIAEXAMPLE",
        SecretAccessKey = "very-secret-value",
    };

    [Theory]
    [InlineData("Bucket", "")]
    [InlineData("Bucket", "ab")]
    [InlineData("Bucket", "a/b")]
    [InlineData("ServiceUrl", "ftp://example.com")]
    [InlineData("ServerSideEncryption", "rot13")]
    [InlineData("KmsKeyId", "key-without-kms")]
    [InlineData("MinPartSize", "1048576")]
    [InlineData("SecretAccessKey", "")]
    public void Invalid_setting_is_named_in_the_error(string setting, string value)
    {
        var options = Valid();
        switch (setting)
        {
            case "Bucket": options.Bucket = value; break;
            case "ServiceUrl": options.ServiceUrl = value; break;
            case "ServerSideEncryption": options.ServerSideEncryption = value; break;
            case "KmsKeyId": options.KmsKeyId = value; break;
            case "MinPartSize": options.MinPartSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "SecretAccessKey": options.SecretAccessKey = value; break;
        }

        var ex = Assert.Throws<BackupException>(options.Validate);
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass_and_never_show_the_secret()
    {
        var options = Valid();
        options.ServerSideEncryption = "aws:kms";
        options.KmsKeyId = "alias/backups";
        options.Validate();
        Assert.DoesNotContain("very-secret-value", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", options.Description, StringComparison.Ordinal);
        Assert.Equal("s3://backups/db at http://127.0.0.1:7480", options.Description);
    }

    [Fact]
    public void Aws_defaults_are_virtual_host_addressing_and_sdk_checksums()
    {
        var options = new S3StoreOptions { Bucket = "backups", ServiceUrl = null };
        if (options.EffectiveServiceUrl is null)
        {
            Assert.False(options.EffectiveForcePathStyle);
            Assert.Equal(S3ChecksumMode.WhenSupported, options.EffectiveChecksumMode);
        }

        options.ServiceUrl = "http://127.0.0.1:9000";
        Assert.True(options.EffectiveForcePathStyle);
        Assert.Equal(S3ChecksumMode.WhenRequired, options.EffectiveChecksumMode);
    }

    [Fact]
    public void Part_size_grows_so_an_artifact_far_beyond_50_GB_fits_in_10000_parts()
    {
        const int MiB = 1024 * 1024;
        Assert.Equal(8 * MiB, S3PartSizing.PartSize(8 * MiB, 1));
        Assert.Equal(8 * MiB, S3PartSizing.PartSize(8 * MiB, 1000));
        Assert.Equal(16 * MiB, S3PartSizing.PartSize(8 * MiB, 1001));
        Assert.True(S3PartSizing.Capacity(8 * MiB, S3PartSizing.MaxParts) > 3L * 1024 * 1024 * MiB); // > 3 TiB
        Assert.True(S3PartSizing.Capacity(5 * MiB, S3PartSizing.MaxParts) > 1024L * 1024 * MiB); // > 1 TiB even from 5 MiB
        Assert.True(S3PartSizing.Capacity(8 * MiB, 3000) > 50L * 1000 * 1000 * 1000); // 50 GB by part 3,000
        Assert.Equal(S3PartSizing.MaxBufferedPartSize, S3PartSizing.PartSize(8 * MiB, S3PartSizing.MaxParts));
    }

    [Theory]
    [InlineData("s3://infinite-industries-backups/db", "infinite-industries-backups", "db")]
    [InlineData("s3://infinite-industries-backups/db/", "infinite-industries-backups", "db")]
    [InlineData("s3://bucket", "bucket", "db")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://bucket/a/b", "bucket", "a/b")]
    public void S3_url_gives_bucket_and_prefix(string url, string bucket, string prefix)
    {
        var options = S3StoreOptions.FromUrl(url);
        Assert.Equal(bucket, options.Bucket);
        Assert.Equal(prefix, options.NormalizedPrefix);
    }

    [Fact]
    public void Url_that_is_not_s3_is_refused_naming_the_flag()
    {
        var ex = Assert.Throws<BackupException>(() => S3StoreOptions.FromUrl("https://bucket/db"));
        Assert.Contains("--s3", ex.Message, StringComparison.Ordinal);
    }
}
