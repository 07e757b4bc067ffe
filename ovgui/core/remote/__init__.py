"""Profiling on another machine over SSH: a target, the ovgui that runs there, its run watched here.

SSH is asyncssh's, not paramiko's: asyncssh checks host keys against OpenSSH's ``known_hosts``
files (hashed entries and ``[host]:port`` included) and reads ``~/.ssh/config`` (Host aliases,
HostName, Port, User, IdentityFile, UserKnownHostsFile, IdentityAgent) itself, so a target is
named exactly as ``ssh`` names it; it talks to the SSH agent, sends signals over the channel, has
SFTP, and reports a refused key, an untrusted host key and a lost connection as distinct
exceptions, each worded here in one line.  Its asyncio runs on the thread that runs the remote
run (a run already works off the caller's thread), so the rest of ovgui stays synchronous.

ovgui reaches the target as a zipapp of its own Qt-free part (`deploy`), built from the running
package and content-hashed: the target always runs the workstation's ovgui, needs no pip access
and no install step, only a Python with OpenVINO, NumPy, OpenCV and psutil, which `probe` checks
first.  The remote ovgui runs ``ovgui-profile … --events jsonl`` and its lines feed the same
events and `LiveData` a local run gives (`ovgui.core.event_stream`).

asyncssh is an extra (``pip install 'ovgui[remote]'``); it is imported only when a target is used.
"""
