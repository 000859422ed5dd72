using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BackupFunctions.Tests.Fixtures;

/// <summary>Requests as ASP.NET Core hands them to the HTTP functions, and their answers read back.</summary>
public static class Http
{
    public static HttpRequest Request(string method, string path, string query = "", string? body = null)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString("localhost", 7071);
        request.Path = path;
        request.QueryString = new QueryString(query);
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        if (body is not null)
        {
            request.ContentType = "application/json";
        }

        return request;
    }

    public static (int Status, JsonElement Body) Read(IActionResult result)
    {
        var content = Assert.IsType<ContentResult>(result);
        using var doc = JsonDocument.Parse(content.Content ?? "null");
        return (content.StatusCode ?? 200, doc.RootElement.Clone());
    }
}
