using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TestSupport;

/// <summary>
/// A TCP proxy on 127.0.0.1 (free port) in front of PostgreSQL or the S3 server, for fault tests: it can cut every
/// connection, stall forwarding, reset (RST, linger 0) a connection after N bytes, and in HTTP mode answer the next
/// K matching requests with a canned error response instead of forwarding them. Every loop ends on dispose.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly IPEndPoint _upstream;
    private readonly bool _http;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Link> _links = new();
    private readonly Task _acceptLoop;
    private readonly object _gate = new();
    private int _nextId;
    private long _resetAfterBytes = -1;
    private Func<string, bool>? _resetMatch;
    private readonly List<Canned> _canned = [];
    private volatile bool _stalled;
    private long _stallAfterBytes = -1;
    private Func<string, bool>? _stallOnRequest;

    /// <param name="http">Parse client→server traffic as HTTP/1.1 requests (S3), so single requests can be failed.</param>
    public TcpFaultProxy(int upstreamPort, bool http = false)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstreamPort);
        _http = http;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>For an http(s)://host:port endpoint.</summary>
    public static TcpFaultProxy ForHttpEndpoint(string endpoint) => new(new Uri(endpoint).Port, http: true);

    public int Port { get; }

    public string HttpEndpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _nextId);

    /// <summary>Connections reset by <see cref="ResetOnceAfter"/> or <see cref="CutAll"/>.</summary>
    public int Resets { get; private set; }

    /// <summary>Canned error responses sent.</summary>
    public int CannedResponses { get; private set; }

    /// <summary>Request lines seen in HTTP mode (method and target), for assertions.</summary>
    public ConcurrentQueue<string> RequestLines { get; } = new();

    /// <summary>While true, nothing is forwarded in either direction (connections stay open).</summary>
    public bool Stalled
    {
        get => _stalled;
        set => _stalled = value;
    }

    /// <summary>One-shot: sets <see cref="Stalled"/> once a connection has passed more than <paramref name="bytes"/> server→client bytes after arming.</summary>
    public void StallAfter(long bytes)
    {
        lock (_gate)
        {
            _stallAfterBytes = bytes;
        }
    }

    /// <summary>HTTP mode, one-shot: sets <see cref="Stalled"/> when a request matching <paramref name="requestLine"/> arrives (before forwarding it).</summary>
    public void StallOnRequest(Func<string, bool> requestLine)
    {
        lock (_gate)
        {
            _stallOnRequest = requestLine;
        }
    }

    /// <summary>Waits (bounded) until <see cref="Stalled"/> is true; false on timeout.</summary>
    public async Task<bool> WaitUntilStalledAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_stalled && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return _stalled;
    }

    /// <summary>Resets (RST) every open connection now.</summary>
    public void CutAll()
    {
        foreach (var link in _links.Values)
        {
            Reset(link);
        }
    }

    /// <summary>
    /// Arms a one-shot reset: the first connection that forwards more than <paramref name="bytes"/> bytes after arming
    /// (in HTTP mode: of one request matching <paramref name="requestLine"/>, counting its body; otherwise: server→client)
    /// is reset with an RST on both sides.
    /// </summary>
    public void ResetOnceAfter(long bytes, Func<string, bool>? requestLine = null)
    {
        lock (_gate)
        {
            _resetAfterBytes = bytes;
            _resetMatch = requestLine;
        }
    }

    /// <summary>HTTP mode (adds to earlier calls, first match wins): the next <paramref name="count"/> requests matching <paramref name="requestLine"/> get this error instead of being forwarded.</summary>
    public void FailNextRequests(int count, int status, string reason, string code, Func<string, bool>? requestLine = null)
    {
        if (!_http)
        {
            throw new InvalidOperationException("canned HTTP responses need http mode");
        }

        var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected by TcpFaultProxy</Message><RequestId>fault-{Guid.NewGuid():N}</RequestId></Error>";
        var response = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n")
            .Append("Content-Type: application/xml\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n")
            .Append("Connection: close\r\n\r\n")
            .Append(body)
            .ToString();
        lock (_gate)
        {
            _canned.Add(new Canned(response, requestLine) { Left = count });
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var id = Interlocked.Increment(ref _nextId);
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var link = new Link(client, server);
        _links[id] = link;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await server.ConnectAsync(_upstream, timeout.Token);
            var up = _http ? HttpUpAsync(link) : PumpAsync(link, client, server, countForReset: false);
            var down = PumpAsync(link, server, client, countForReset: !_http);
            await Task.WhenAny(up, down);
            // One side ended: pass the end on (FIN), let the other direction drain briefly, then close both.
            TryShutdown(link.Client);
            TryShutdown(link.Server);
            await Task.WhenAny(Task.WhenAll(up, down), Task.Delay(TimeSpan.FromSeconds(5)));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _links.TryRemove(id, out _);
            link.Client.Dispose();
            link.Server.Dispose();
        }
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, bool countForReset)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                if (countForReset)
                {
                    CountTowardsStall(link, n);
                }

                await WaitWhileStalledAsync();
                if (countForReset && CountTowardsReset(link, n, matches: true))
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>HTTP client→server: request by request, so one can be answered here or reset in its body.</summary>
    private async Task HttpUpAsync(Link link)
    {
        var reader = new SocketReader(link.Client, _stop.Token);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var head = await reader.ReadHeadAsync();
                if (head is null)
                {
                    return;
                }

                var text = Encoding.ASCII.GetString(head);
                var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
                RequestLines.Enqueue(requestLine);
                var length = HeaderValue(text, "Content-Length") is { } cl ? long.Parse(cl, CultureInfo.InvariantCulture) : 0;
                var chunked = HeaderValue(text, "Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
                var expectContinue = HeaderValue(text, "Expect")?.Contains("100-continue", StringComparison.OrdinalIgnoreCase) == true;

                string? canned = null;
                lock (_gate)
                {
                    if (_stallOnRequest is not null && _stallOnRequest(requestLine))
                    {
                        _stallOnRequest = null;
                        _stalled = true;
                    }

                    var hit = _canned.FirstOrDefault(c => c.Left > 0 && (c.Match is null || c.Match(requestLine)));
                    if (hit is not null)
                    {
                        hit.Left--;
                        canned = hit.Response;
                        CannedResponses++;
                    }
                }

                await WaitWhileStalledAsync();
                if (canned is not null)
                {
                    if (!expectContinue && !chunked)
                    {
                        await reader.SkipAsync(length);
                    }

                    await link.Client.SendAsync(Encoding.ASCII.GetBytes(canned), SocketFlags.None, _stop.Token);
                    return;
                }

                await link.Server.SendAsync(head, SocketFlags.None, _stop.Token);
                if (chunked)
                {
                    // Not parsed: forward the rest of the connection raw.
                    await reader.ForwardRestAsync(link.Server);
                    return;
                }

                bool matches;
                lock (_gate)
                {
                    matches = _resetAfterBytes >= 0 && (_resetMatch is null || _resetMatch(requestLine));
                }

                var left = length;
                while (left > 0)
                {
                    var chunk = await reader.ReadSomeAsync((int)Math.Min(left, BufferSize));
                    if (chunk.Length == 0)
                    {
                        return;
                    }

                    if (matches && CountTowardsReset(link, chunk.Length, matches))
                    {
                        return;
                    }

                    await WaitWhileStalledAsync();
                    await link.Server.SendAsync(chunk, SocketFlags.None, _stop.Token);
                    left -= chunk.Length;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private void CountTowardsStall(Link link, int bytes)
    {
        lock (_gate)
        {
            if (_stallAfterBytes < 0)
            {
                return;
            }

            link.StallCounted += bytes;
            if (link.StallCounted > _stallAfterBytes)
            {
                _stallAfterBytes = -1;
                _stalled = true;
            }
        }
    }

    /// <summary>Counts bytes against an armed reset; true when this link was reset.</summary>
    private bool CountTowardsReset(Link link, int bytes, bool matches)
    {
        lock (_gate)
        {
            if (_resetAfterBytes < 0 || !matches)
            {
                return false;
            }

            link.Counted += bytes;
            if (link.Counted <= _resetAfterBytes)
            {
                return false;
            }

            _resetAfterBytes = -1;
        }

        Reset(link);
        return true;
    }

    private void Reset(Link link)
    {
        lock (_gate)
        {
            Resets++;
        }

        foreach (var socket in new[] { link.Client, link.Server })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task WaitWhileStalledAsync()
    {
        while (_stalled && !_stop.IsCancellationRequested)
        {
            await Task.Delay(50, _stop.Token);
        }
    }

    private static void TryShutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static string? HeaderValue(string head, string name)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await Task.WhenAny(_acceptLoop, Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }

    private sealed class Canned(string response, Func<string, bool>? match)
    {
        public string Response { get; } = response;

        public Func<string, bool>? Match { get; } = match;

        public int Left { get; set; }
    }

    private sealed class Link(Socket client, Socket server)
    {
        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public long Counted { get; set; }

        public long StallCounted { get; set; }
    }

    /// <summary>Buffered reads from a socket: HTTP heads, then bodies.</summary>
    private sealed class SocketReader(Socket socket, CancellationToken cancellationToken)
    {
        private const int MaxHead = 64 * 1024;
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadHeadAsync()
        {
            var head = new List<byte>();
            while (head.Count < MaxHead)
            {
                if (_start == _end && !await FillAsync())
                {
                    return null;
                }

                head.Add(_buffer[_start++]);
                var c = head.Count;
                if (c >= 4 && head[c - 4] == '\r' && head[c - 3] == '\n' && head[c - 2] == '\r' && head[c - 1] == '\n')
                {
                    return [.. head];
                }
            }

            throw new IOException("HTTP head longer than 64 KiB");
        }

        public async Task<byte[]> ReadSomeAsync(int max)
        {
            if (_start == _end && !await FillAsync())
            {
                return [];
            }

            var n = Math.Min(max, _end - _start);
            var chunk = _buffer.AsSpan(_start, n).ToArray();
            _start += n;
            return chunk;
        }

        public async Task SkipAsync(long length)
        {
            while (length > 0)
            {
                var chunk = await ReadSomeAsync((int)Math.Min(length, BufferSize));
                if (chunk.Length == 0)
                {
                    return;
                }

                length -= chunk.Length;
            }
        }

        public async Task ForwardRestAsync(Socket to)
        {
            while (true)
            {
                var chunk = await ReadSomeAsync(BufferSize);
                if (chunk.Length == 0)
                {
                    return;
                }

                await to.SendAsync(chunk, SocketFlags.None, cancellationToken);
            }
        }

        private async Task<bool> FillAsync()
        {
            _start = 0;
            _end = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            return _end > 0;
        }
    }
}
