using BackupCore.Catalog;

namespace BackupCore.Tests.Catalog;

public sealed class SupportedServerVersionsTests
{
    [Theory]
    [InlineData(130000)]
    [InlineData(130023)]
    [InlineData(150018)]
    [InlineData(180004)]
    public void Majors_13_to_18_are_supported(int number)
    {
        Assert.True(SupportedServerVersions.Includes(new PgVersion(number)));
        SupportedServerVersions.EnsureSupported(new PgVersion(number), "x", "db");
    }

    [Theory]
    [InlineData(120022, "12.22")]
    [InlineData(190000, "19devel")]
    [InlineData(190000, "19beta1")]
    [InlineData(90624, "9.6.24")]
    public void Majors_outside_13_to_18_are_refused_in_one_line_naming_version_and_range(int number, string reported)
    {
        var ex = Assert.Throws<UnsupportedServerVersionException>(() => SupportedServerVersions.EnsureSupported(new PgVersion(number), reported, "app"));
        Assert.Equal($"database \"app\": PostgreSQL {reported} is not supported; supported servers are PostgreSQL 13 to 18", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Versions_compare_by_server_version_num_and_print_as_major_and_minor()
    {
        Assert.True(new PgVersion(170010) >= PgVersion.V17);
        Assert.True(new PgVersion(160014) < PgVersion.V17);
        Assert.Equal(18, new PgVersion(180004).Major);
        Assert.Equal("18.4", new PgVersion(180004).ToString());
        Assert.Equal("14", PgVersion.V14.ToString());
    }
}
