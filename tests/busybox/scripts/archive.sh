# tar and gzip round trips, checksums.
mkdir -p src/deep && seq 1 2000 > src/numbers && printf 'x%.0s' $(seq 1 300) > src/deep/xs
touch -d '2021-06-07 08:09:10' src/numbers src/deep/xs src/deep src
tar cf archive.tar src
tar tf archive.tar | sort
mkdir out && tar xf archive.tar -C out
cmp src/numbers out/src/numbers && echo tar-roundtrip-ok
gzip -c src/numbers > numbers.gz
gunzip -c numbers.gz | md5sum
md5sum src/numbers src/deep/xs
sha256sum src/numbers | cut -c1-16
tar czf archive.tgz src && mkdir out2 && tar xzf archive.tgz -C out2 && cmp src/deep/xs out2/src/deep/xs && echo tgz-ok
gzip src/numbers && ls src && gunzip src/numbers.gz && wc -l src/numbers
