namespace BackupCore.Catalog;

/// <summary>The sorter found a dependency loop; <see cref="Members"/> are the object indexes on it, in dependency order.</summary>
internal sealed class DependencyCycleException : Exception
{
    public DependencyCycleException(IReadOnlyList<int> members)
        : base("dependency loop among " + members.Count + " objects")
    {
        Members = members;
    }

    public DependencyCycleException()
    {
        Members = [];
    }

    public DependencyCycleException(string message)
        : base(message)
    {
        Members = [];
    }

    public DependencyCycleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Members = [];
    }

    public IReadOnlyList<int> Members { get; }
}
