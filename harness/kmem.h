/* kmem.h -- the kernel's memory for held connections: /proc/meminfo and /proc/slabinfo. */
#ifndef KMEM_H
#define KMEM_H

/*
 * The kernel memory a process's objects live in, in kB, from a /proc/meminfo
 * text: Slab (sockets, inodes, files, dentries, epoll items) + KernelStack (a
 * thread's) + PageTables (a process's) into *kb. 0, or -1 if a line is missing.
 */
int kmem_parse_meminfo(const char *meminfo, long *kb);

/*
 * The bytes one connected, idle TCP client socket holds in the kernel from a
 * /proc/slabinfo text: the object sizes of the caches a plain socket takes
 * (TCP, sock_inode_cache, filp, dentry) summed into *bytes. 0, or -1 if one
 * of them is missing (an IPv6-only kernel, a renamed cache).
 */
int kmem_parse_socket(const char *slabinfo, long *bytes);

/* The machine's kmem_parse_meminfo figure now into *kb: 0 or -1. */
int kmem_now_kb(long *kb);

/*
 * The server's share of the kernel memory that conns connections took,
 * given the machine's figure before (before_kb) and after they were opened
 * and accepted (after_kb): the whole growth less the holder's own sockets
 * (conns x kmem_parse_socket of /proc/slabinfo, which is root's to read), the
 * other end of every connection living in the same kernel. -1 when a file
 * cannot be read or conns is 0.
 */
long kmem_server_share_kb(long before_kb, long after_kb, int conns);

#endif
