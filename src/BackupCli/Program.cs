using BackupCli;

using var interrupt = Interrupt.ForProcess(Console.Error);
return await CliApp.RunAsync(args, Console.Out, Console.Error, null, interrupt);
