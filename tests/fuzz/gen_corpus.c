/* gen_corpus.c -- write the fuzz seed corpus from the unit tests' request tables.
 *
 * usage: gen_corpus DIR   (writes DIR/parser/<case>.txt and DIR/conn/<case>.txt)
 * The parser seeds are the requests as they are; the conn seeds carry the
 * fuzz_conn header (flags, two seed bytes) in printable characters, in front
 * of single requests and of pipelines.
 */
#include "http_cases.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* fuzz_conn headers: '0' in-memory, small chunks; 'b' socketpair; 'E'/'u' no_keepalive, partial
 * drains. */
static const char *conn_headers[] = { "0AA", "bQz", "E7k", "u2M" };

static int write_file(const char *dir, const char *sub, const char *name, const char *hdr,
                      const char *text, size_t len)
{
	char path[512], base[128];
	size_t k = 0;
	FILE *f;

	for (const char *p = name; *p && k + 1 < sizeof(base); p++)
		base[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p
		            : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a')
		                                       : '-';
	base[k] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s.txt", dir, sub, base);
	if (!(f = fopen(path, "wb"))) {
		perror(path);
		return -1;
	}
	fputs(hdr, f);
	fwrite(text, 1, len, f);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static int make_dir(const char *dir, const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* All valid requests back to back, then one error case: one long conn seed. */
static int write_pipeline(const char *dir)
{
	char *buf;
	size_t len = 0, cap = 0;
	int rc;

	for (size_t i = 0; i < HTTP_N_VALID; i++)
		cap += http_valid_cases[i].len;
	if (!(buf = malloc(cap + http_error_cases[0].len)))
		return -1;
	for (size_t i = 0; i < HTTP_N_VALID; i++) {
		const struct valid_case *v = &http_valid_cases[i];

		if (!v->keep_alive)
			continue; /* a closing request would end the pipeline early */
		memcpy(buf + len, v->text, v->len);
		len += v->len;
	}
	memcpy(buf + len, http_error_cases[0].text, http_error_cases[0].len);
	len += http_error_cases[0].len;
	rc = write_file(dir, "conn", "pipeline keep-alive then error", "0AA", buf, len) |
	     write_file(dir, "conn", "pipeline over socketpair", "bQz", buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	if (make_dir(argv[1], "parser") < 0 || make_dir(argv[1], "conn") < 0) {
		perror(argv[1]);
		return 1;
	}
	for (size_t i = 0; i < HTTP_N_VALID; i++) {
		const struct valid_case *v = &http_valid_cases[i];

		rc |= write_file(argv[1], "parser", v->name, "", v->text, v->len);
		rc |= write_file(argv[1], "conn", v->name, conn_headers[i % 4], v->text, v->len);
	}
	for (size_t i = 0; i < HTTP_N_ERROR; i++) {
		const struct error_case *e = &http_error_cases[i];

		rc |= write_file(argv[1], "parser", e->name, "", e->text, e->len);
	}
	rc |= write_pipeline(argv[1]);
	return rc ? 1 : 0;
}
