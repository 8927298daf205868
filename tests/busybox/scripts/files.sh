# Files and directories: create, copy, move, link, list with fixed timestamps, find, stat.
mkdir -p d1/sub
printf 'hello\n' > d1/a.txt
printf 'world!\n' > d1/sub/b.txt
chmod 640 d1/a.txt
ln -s a.txt d1/link
ln d1/a.txt d1/hard
touch -d '2020-01-02 03:04:05' d1/a.txt d1/sub/b.txt d1/sub d1 d1/hard
touch -h -d '2020-01-02 03:04:05' d1/link
ls -l d1 | sed 's/  */ /g' | cut -d' ' -f1,2,5-
cp -a d1 d2
ls -la d2/sub | tail -n 1 | sed 's/  */ /g' | cut -d' ' -f1,5-
readlink d2/link
mv d2/sub/b.txt d2/moved.txt
find d2 | sort
find d1 -type f -name '*.txt' | sort
stat -c '%n %s %a %h %F' d1/a.txt d1/link d1/sub | sort
rm -r d2
ls
du -s d1 > /dev/null && echo du ok
rmdir d1/sub 2>&1 || echo "rmdir failed as expected"
test -L d1/link && echo is-link
test -d d1 -a ! -e d1/nothing && echo tests-ok
