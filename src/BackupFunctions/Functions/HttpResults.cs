using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BackupFunctions.Functions;

/// <summary>The JSON answers and query parsing the HTTP functions share.</summary>
internal static class HttpResults
{
    public static ContentResult Json(int status, object body) => new()
    {
        StatusCode = status,
        ContentType = "application/json; charset=utf-8",
        Content = JsonSerializer.Serialize(body, RunReport.JsonOptions),
    };

    public static ContentResult Problem(int status, string detail) => Json(status, new { status, error = detail });

    /// <summary>False when the query parameter is there but not a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static bool TryReadInt(HttpRequest request, string name, int min, int max, out int value, int defaultValue = 0)
    {
        value = defaultValue;
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return true;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
