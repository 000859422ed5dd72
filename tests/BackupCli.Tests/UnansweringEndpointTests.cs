using System.Diagnostics;

namespace BackupCli.Tests;

/// <summary>An S3 endpoint that accepts connections but never answers: list fails within its timeout, naming the endpoint, instead of hanging.</summary>
[Collection(CliServers.Name)]
public sealed class UnansweringEndpointTests
{
    private readonly S3Server _s3;

    public UnansweringEndpointTests(S3Server s3)
    {
        _s3 = s3;
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", s3.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", s3.SecretKey);
    }

    [Fact]
    public async Task List_against_an_endpoint_that_never_answers_fails_within_its_timeout()
    {
        await using var proxy = TcpFaultProxy.ForHttpEndpoint(_s3.Endpoint);
        proxy.Stalled = true;
        var clock = Stopwatch.StartNew();
        var result = await CliRun.RunAsync("list", "--s3", "s3://ib-cli-silent/db", "--s3-endpoint", proxy.HttpEndpoint, "--s3-timeout", "2");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Contains(proxy.HttpEndpoint, result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
    }
}
