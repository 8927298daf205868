/* threads: producers and consumers share a bounded queue under a pthread mutex and two condition variables;
 * the sum of everything consumed must equal the sum produced. Thread-local storage is per thread. */
#include <pthread.h>
#include <stdio.h>

#define PRODUCERS 4
#define CONSUMERS 3
#define ITEMS 20000
#define SLOTS 16

static int queue[SLOTS], head, count, done_producers;
static long long consumed_sum;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static __thread int thread_tag;

static void *producer(void *arg) {
  int base = (int)(long)arg;
  thread_tag = base;
  for (int i = 1; i <= ITEMS; i++) {
    pthread_mutex_lock(&lock);
    while (count == SLOTS) pthread_cond_wait(&not_full, &lock);
    queue[(head + count++) % SLOTS] = base * ITEMS + i;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  done_producers++;
  pthread_cond_broadcast(&not_empty);
  pthread_mutex_unlock(&lock);
  return (void *)(long)(thread_tag == base);
}

static void *consumer(void *arg) {
  (void)arg;
  long long sum = 0;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (count == 0 && done_producers < PRODUCERS) pthread_cond_wait(&not_empty, &lock);
    if (count == 0) { pthread_mutex_unlock(&lock); break; }
    sum += queue[head];
    head = (head + 1) % SLOTS;
    count--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  consumed_sum += sum;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t p[PRODUCERS], c[CONSUMERS];
  thread_tag = -1;
  for (int i = 0; i < CONSUMERS; i++) pthread_create(&c[i], NULL, consumer, NULL);
  for (int i = 0; i < PRODUCERS; i++) pthread_create(&p[i], NULL, producer, (void *)(long)i);
  int tls_ok = 1;
  for (int i = 0; i < PRODUCERS; i++) { void *r; pthread_join(p[i], &r); tls_ok &= (int)(long)r; }
  for (int i = 0; i < CONSUMERS; i++) pthread_join(c[i], NULL);
  long long expected = 0;
  for (int b = 0; b < PRODUCERS; b++) for (int i = 1; i <= ITEMS; i++) expected += (long long)b * ITEMS + i;
  printf("consumed %lld expected %lld\n", consumed_sum, expected);
  printf("thread-local storage private: %d, main's tag %d\n", tls_ok, thread_tag);
  return consumed_sum == expected ? 0 : 1;
}
